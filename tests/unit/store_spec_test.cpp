#include "aws/store_spec.h"

#include <doctest/doctest.h>

using namespace millrace::aws;

TEST_CASE("--store names a directory, a URL or the real services") {
  CHECK(StoreSpec::parse("/var/lib/millrace").kind == StoreSpec::Kind::directory);
  CHECK(StoreSpec::parse("store").kind == StoreSpec::Kind::directory);
  CHECK(StoreSpec::parse("http://127.0.0.1:4566").kind == StoreSpec::Kind::endpoint);
  CHECK(StoreSpec::parse("https://kinesis.eu-west-1.amazonaws.com").kind == StoreSpec::Kind::endpoint);
  CHECK(StoreSpec::parse("aws").kind == StoreSpec::Kind::aws);
  CHECK_FALSE(StoreSpec::parse("./aws").remote());
}
