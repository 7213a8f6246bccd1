#include "aws/endpoint.h"

#include <doctest/doctest.h>

#include <fstream>

#include "aws/store_spec.h"
#include "cli/error.h"
#include "scoped_env.h"
#include "temp_dir.h"

using namespace millrace;
using namespace millrace::aws;
using test::ScopedEnv;

TEST_CASE("an endpoint's URL is every service's; the real services' are regional or from AWS_ENDPOINT_URL*") {
  ScopedEnv region("AWS_REGION", "eu-west-3"), generic("AWS_ENDPOINT_URL", nullptr),
      kinesis("AWS_ENDPOINT_URL_KINESIS", nullptr);
  ServiceEndpoint local = service_endpoint(StoreSpec::parse("http://127.0.0.1:4566/"), "kinesis");
  CHECK(local.url == "http://127.0.0.1:4566");
  CHECK(local.region == "eu-west-3");
  CHECK(local.service == "kinesis");
  CHECK(service_endpoint(StoreSpec::parse("aws"), "kinesis").url == "https://kinesis.eu-west-3.amazonaws.com");
  {
    ScopedEnv all("AWS_ENDPOINT_URL", "http://localhost:4566");
    CHECK(service_endpoint(StoreSpec::parse("aws"), "dynamodb").url == "http://localhost:4566");
    ScopedEnv one("AWS_ENDPOINT_URL_KINESIS", "http://localhost:4567");
    CHECK(service_endpoint(StoreSpec::parse("aws"), "kinesis").url == "http://localhost:4567");
    CHECK(service_endpoint(StoreSpec::parse("aws"), "dynamodb").url == "http://localhost:4566");
  }
  for (const char* bad : {"http://", "http://[::1", "http://host:4566/?a=b", "http://user@host:1"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(service_endpoint(StoreSpec::parse(bad), "kinesis"), cli::Error);
  }
}

TEST_CASE("the region comes from the environment, then the profile of the config file") {
  test::TempDir dir;
  std::ofstream(dir / "config") << "[default]\nregion = ap-south-1\n[profile ci]\nregion=sa-east-1\n"
                                   "  nested = x\n[profile none]\noutput = json\n";
  std::string config = (dir / "config").string();
  ScopedEnv file("AWS_CONFIG_FILE", config.c_str()), profile("AWS_PROFILE", nullptr);
  ScopedEnv a("AWS_REGION", nullptr), b("AWS_DEFAULT_REGION", nullptr);
  CHECK(client_region() == "ap-south-1");
  {
    ScopedEnv ci("AWS_PROFILE", "ci");
    CHECK(client_region() == "sa-east-1");
  }
  {
    ScopedEnv none("AWS_PROFILE", "none");
    CHECK(client_region() == "us-east-1");
  }
  {
    ScopedEnv fallback("AWS_DEFAULT_REGION", "eu-north-1");
    CHECK(client_region() == "eu-north-1");
    ScopedEnv first("AWS_REGION", "eu-central-1");
    CHECK(client_region() == "eu-central-1");
  }
}
