#include "store/hash_key.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <array>
#include <string>

using namespace millrace::store;

TEST_CASE("MD5 of a partition key is read as a big-endian 128-bit integer") {
  Md5 md5;
  // Expected digests computed independently: printf %s KEY | openssl md5
  CHECK(format_hash_key(md5("Shadowfax")) == "123578240268536456638675226308427189982");  // 5cf84da7…0ede
  CHECK(format_hash_key(md5("a")) == "16955237001963240173058271559858726497");           // 0cc175b9…2661
  CHECK((md5("ünïcode") >> 96) == 0xcd1850cdu);                                           // cd1850cd…1224
}

TEST_CASE("a new stream's shards split the hash-key space as Kinesis does") {
  auto four = split_evenly({0, kMaxHashKey}, 4);
  REQUIRE(four.size() == 4);
  CHECK(four[1].start == HashKey{1} << 126);
  CHECK(four[3].end == kMaxHashKey);
  // Kinesis' ranges for a stream of 3 shards.
  auto three = split_evenly({0, kMaxHashKey}, 3);
  CHECK(format_hash_key(three[0].end) == "113427455640312821154458202477256070484");
  CHECK(format_hash_key(three[1].start) == "113427455640312821154458202477256070485");
  CHECK(format_hash_key(three[2].start) == "226854911280625642308916404954512140970");
  CHECK(format_hash_key(three[2].end) == "340282366920938463463374607431768211455");
  for (std::uint32_t n : {1u, 2u, 5u, 7u, 1024u}) {
    auto ranges = split_evenly({0, kMaxHashKey}, n);
    CHECK(ranges.front().start == 0);
    CHECK(ranges.back().end == kMaxHashKey);
    for (std::size_t i = 1; i < ranges.size(); ++i) CHECK(ranges[i].start == ranges[i - 1].end + 1);
  }
}

TEST_CASE("Shadowfax goes to the second of four shards") {
  Md5 md5;
  auto four = split_evenly({0, kMaxHashKey}, 4);
  CHECK(four[1].contains(md5("Shadowfax")));  // 0x5c… lies in [2^126, 2^127)
  CHECK(four[0].contains(md5("a")));          // 0x0c…
}

TEST_CASE("hash keys parse as decimals up to 2^128-1 and no further") {
  CHECK(parse_hash_key("0") == HashKey{0});
  CHECK(parse_hash_key("340282366920938463463374607431768211455") == kMaxHashKey);
  CHECK_FALSE(parse_hash_key("340282366920938463463374607431768211456"));
  CHECK_FALSE(parse_hash_key(""));
  CHECK_FALSE(parse_hash_key("12a"));
  CHECK_FALSE(parse_hash_key("-1"));
}

TEST_CASE("SHA-256 gives the digests of FIPS 180-2's examples") {
  auto hex = [](const std::array<unsigned char, 32>& digest) {
    std::string text;
    for (unsigned char byte : digest) text += fmt::format("{:02x}", byte);
    return text;
  };
  CHECK(hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
