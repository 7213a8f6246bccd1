#include "archive/catalog.h"

#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <system_error>

#include "archive/object_name.h"
#include "cli/error.h"

namespace millrace::archive {
namespace {

// Reads in pieces of this size: large enough that a read costs little per byte.
constexpr std::size_t kReadBytes = 1 << 20;
constexpr unsigned char kZstdMagic[] = {0x28, 0xB5, 0x2F, 0xFD};

std::size_t read_some(int fd, char* out, std::size_t size) {
  for (;;) {
    ssize_t n = ::read(fd, out, size);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "read");
  }
}

}  // namespace

std::optional<lines::EpochMs> time_argument(const std::string& text, const std::string& option) {
  if (text.empty()) return std::nullopt;
  auto time = lines::parse_iso8601(text);
  if (!time) throw cli::Error(cli::Exit::usage, option, "not an ISO 8601 time: " + text);
  return time;
}

std::vector<ObjectEntry> select_objects(const Bucket& bucket, const Selection& selection) {
  std::vector<ObjectEntry> objects;
  for (std::string& key : bucket.list(selection.prefix)) {
    std::size_t slash = key.rfind('/');
    auto time = object_time(slash == std::string::npos ? key : std::string_view(key).substr(slash + 1));
    if (!time) continue;
    if (selection.since && *time < *selection.since) continue;
    if (selection.until && *time >= *selection.until) continue;
    objects.push_back({std::move(key), *time});
  }
  std::sort(objects.begin(), objects.end(),
            [](const ObjectEntry& a, const ObjectEntry& b) { return a.time != b.time ? a.time < b.time : a.key < b.key; });
  return objects;
}

void copy_object(const Bucket& bucket, const std::string& key, lines::Writer& out) {
  int fd = bucket.open_object(key);
  if (fd < 0) throw cli::Error(cli::Exit::no_input, (bucket.dir() / key).string(), std::strerror(errno));
  std::unique_ptr<int, void (*)(int*)> closer(&fd, [](int* f) { ::close(*f); });
  auto in = std::make_unique_for_overwrite<char[]>(kReadBytes);
  std::size_t size = read_some(fd, in.get(), kReadBytes);
  bool zstd = size >= sizeof kZstdMagic && std::memcmp(in.get(), kZstdMagic, sizeof kZstdMagic) == 0;
  std::string& buffer = out.buffer();
  char last = '\n';  // the last byte of the object, whether or not still in the buffer
  if (!zstd) {
    while (size > 0) {
      buffer.append(in.get(), size);
      last = buffer.back();
      out.maybe_flush();
      size = read_some(fd, in.get(), kReadBytes);
    }
  } else {
    std::unique_ptr<ZSTD_DCtx, std::size_t (*)(ZSTD_DCtx*)> context(ZSTD_createDCtx(), &ZSTD_freeDCtx);
    std::size_t pending = 0;  // 0: the last frame is complete
    const std::size_t piece = ZSTD_DStreamOutSize();
    while (size > 0) {
      ZSTD_inBuffer input{in.get(), size, 0};
      while (input.pos < input.size) {
        std::size_t at = buffer.size();
        buffer.resize(at + piece);
        ZSTD_outBuffer output{buffer.data() + at, piece, 0};
        pending = ZSTD_decompressStream(context.get(), &output, &input);
        buffer.resize(at + output.pos);
        if (output.pos > 0) last = buffer.back();
        if (ZSTD_isError(pending))
          throw cli::Error(cli::Exit::data, (bucket.dir() / key).string(),
                           std::string("corrupt zstd object: ") + ZSTD_getErrorName(pending));
        out.maybe_flush();
      }
      size = read_some(fd, in.get(), kReadBytes);
    }
    if (pending != 0)
      throw cli::Error(cli::Exit::data, (bucket.dir() / key).string(), "truncated zstd object");
  }
  if (last != '\n') buffer.push_back('\n');
}

}  // namespace millrace::archive
