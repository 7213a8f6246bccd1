// Where the AWS client sends a service's requests, and the region it signs them for.
//
// A store named by URL (aws/store_spec.h) has every service at that URL. The real services
// (`--store aws`): AWS_ENDPOINT_URL_KINESIS (_DYNAMODB, _S3) or AWS_ENDPOINT_URL where set, as
// the SDKs read them, else the regional endpoint https://SERVICE.REGION.amazonaws.com.
// The region, as the aws CLI finds it: AWS_REGION, AWS_DEFAULT_REGION, then the `region` of the
// profile (AWS_PROFILE, else default) in the config file (AWS_CONFIG_FILE, else ~/.aws/config),
// then us-east-1.
#pragma once

#include <string>
#include <string_view>

#include "aws/store_spec.h"

namespace millrace::aws {

// A service's endpoint: its URL (scheme, host, port and path, no trailing '/'), the region and
// the service name that requests are signed for.
struct ServiceEndpoint {
  std::string url;
  std::string region;
  std::string service;  // "kinesis", "dynamodb", "s3"
};

// The region the AWS client signs for (above).
std::string client_region();

// The endpoint of `service` for a remote `store`. Throws cli::Error(usage) for a URL that is
// not http(s)://HOST[:PORT][/PATH] (checked by libcurl's URL parser).
ServiceEndpoint service_endpoint(const StoreSpec& store, std::string_view service);

}  // namespace millrace::aws
