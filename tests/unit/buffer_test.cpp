#include "lines/buffer.h"

#include <doctest/doctest.h>

#include <string>

using millrace::lines::Buffer;

TEST_CASE("a Buffer keeps its bytes when it grows: resize does not zero-fill") {
  Buffer buffer(4096, 'x');  // an explicit value is still written
  CHECK(std::string(buffer.begin(), buffer.end()) == std::string(4096, 'x'));
  buffer.resize(0);
  buffer.resize(4096);  // the same memory again (the capacity did not change): a std::vector<char> would zero it
  CHECK(buffer.capacity() == 4096);
  CHECK(std::string(buffer.begin(), buffer.end()) == std::string(4096, 'x'));
}
