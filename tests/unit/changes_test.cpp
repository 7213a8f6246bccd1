#include "table/changes.h"

#include <doctest/doctest.h>

#include <string>

using namespace millrace::table;

TEST_CASE("change records: INSERT has no OldImage, REMOVE no NewImage, by TTL a service identity") {
  std::string out;
  append_change(out, {ChangeKind::insert, R"({"k":"a"})", R"({"k":"a","n":1})", std::nullopt, 1, 1795428000999});
  CHECK(out ==
        R"({"eventName":"INSERT","Keys":{"k":"a"},"NewImage":{"k":"a","n":1},"SequenceNumber":"00000000000000000001","ApproximateCreationDateTime":1795428000})"
        "\n");
  out.clear();
  append_change(out, {ChangeKind::modify, R"({"k":"a"})", R"({"k":"a","n":2})", R"({"k":"a","n":1})", 12, 0});
  CHECK(out ==
        R"({"eventName":"MODIFY","Keys":{"k":"a"},"NewImage":{"k":"a","n":2},"OldImage":{"k":"a","n":1},"SequenceNumber":"00000000000000000012","ApproximateCreationDateTime":0})"
        "\n");
  out.clear();
  append_change(out, {ChangeKind::remove, R"({"k":"a"})", std::nullopt, R"({"k":"a","n":2})", 13, 5000, true});
  CHECK(out ==
        R"({"eventName":"REMOVE","Keys":{"k":"a"},"OldImage":{"k":"a","n":2},"SequenceNumber":"00000000000000000013","ApproximateCreationDateTime":5,"userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"}})"
        "\n");
}
