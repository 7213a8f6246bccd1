// What --store names: a directory (the LMDB store) or an endpoint that speaks the AWS APIs.
//
//   http://HOST:PORT, https://HOST[:PORT][/PATH]  every service at that URL (gw-serve,
//                                                 LocalStack, kinesis-local, DynamoDB Local);
//   aws                                           the real services (aws/endpoint.h);
//   anything else                                 a directory.
//
// Only the form is told here, without libcurl, so that the programs that take directories only
// do not load it; aws::service_endpoint checks the URL.
#pragma once

#include <string>

namespace millrace::aws {

struct StoreSpec {
  enum class Kind { directory, endpoint, aws };
  Kind kind = Kind::directory;
  std::string text;  // the directory, the URL, or "aws"

  static StoreSpec parse(std::string text);
  bool remote() const { return kind != Kind::directory; }
};

}  // namespace millrace::aws
