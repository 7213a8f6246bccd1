#include "archive/compress.h"

// For ZSTD_getCParams and ZSTD_adjustCParams: the level's parameters, to shrink to a window.
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>

namespace millrace::archive {
namespace {

// A single compressor's window, 32 KiB: what bounds the memory of each open partition.
constexpr unsigned kSingleWindowLog = 15;
constexpr std::size_t kSingleOutputBytes = 64 << 10;
// A parallel compressor's jobs, at the levels of zstd's fast strategies (up to ZSTD_lazy, level
// 7): a 5 MiB object (Firehose's default buffer) is compressed in five jobs while it fills,
// where zstd's own choice at level 3 (8 MiB) would compress it in one job once it is full. At
// higher levels each job first takes in a larger part of the window before it (all of it at
// level 19), which jobs this small would do over and over (level 15 took 30 times as long):
// there, zstd's own choice.
constexpr int kJobBytes = 1 << 20;
constexpr int kMaxWorkers = 4;
// Single compressors kept for the next objects: enough for objects that close and open together
// (a partition's next object) without a new context each time, few enough to hold little memory.
constexpr std::size_t kIdleSingles = 4;

constexpr unsigned char kMagic[] = {0x28, 0xB5, 0x2F, 0xFD};
// A header: magic, descriptor, window descriptor, then the content size.
constexpr std::size_t kDescriptorAt = 4, kWindowAt = 5, kSizeAt = 6;
// Frame header descriptor bits (RFC 8878, 3.1.1.1.1): content size field size (7-6), single
// segment (5), checksum (2), dictionary id field size (1-0).
constexpr unsigned char kDescriptorBitsUsed = 0xE7;
constexpr unsigned char kChecksumOnly = 0x04;             // as zstd writes a frame of unknown size
constexpr unsigned char kChecksumAndSize8 = 0xC0 | 0x04;  // ours: an 8-byte content size too

void check(std::size_t result) {
  if (ZSTD_isError(result)) throw std::runtime_error(std::string("zstd: ") + ZSTD_getErrorName(result));
}

void set(ZSTD_CCtx* context, ZSTD_cParameter parameter, int value) {
  check(ZSTD_CCtx_setParameter(context, parameter, value));
}

}  // namespace

int compression_workers() {
  ZSTD_bounds bounds = ZSTD_cParam_getBounds(ZSTD_c_nbWorkers);
  unsigned cores = std::thread::hardware_concurrency();
  if (ZSTD_isError(bounds.error) || bounds.upperBound < 1 || cores < 2) return 0;
  return std::min({static_cast<int>(cores), kMaxWorkers, bounds.upperBound});
}

FrameCompressor::FrameCompressor(Kind kind, int level) : kind_(kind) {
  context_ = ZSTD_createCCtx();
  if (context_ == nullptr) throw std::bad_alloc();
  set(context_, ZSTD_c_compressionLevel, level);
  set(context_, ZSTD_c_checksumFlag, 1);
  set(context_, ZSTD_c_contentSizeFlag, 1);
  int workers = kind == Kind::parallel ? compression_workers() : 0;
  ZSTD_compressionParameters params = ZSTD_getCParams(level, ZSTD_CONTENTSIZE_UNKNOWN, 0);
  if (workers > 0) {
    set(context_, ZSTD_c_nbWorkers, workers);
    if (params.strategy <= ZSTD_lazy) set(context_, ZSTD_c_jobSize, kJobBytes);
  } else if (kind == Kind::single) {
    params.windowLog = std::min(params.windowLog, kSingleWindowLog);
    // Tables of more positions than the window holds would be memory for nothing.
    params = ZSTD_adjustCParams(params, 1ull << params.windowLog, 0);
    set(context_, ZSTD_c_windowLog, static_cast<int>(params.windowLog));
    set(context_, ZSTD_c_hashLog, static_cast<int>(params.hashLog));
    set(context_, ZSTD_c_chainLog, static_cast<int>(params.chainLog));
  }
  // A single compressor's blocks are at most its window: a buffer of twice that takes each
  // block whole, so that zstd compresses straight into it rather than into a buffer of its own.
  capacity_ = kind == Kind::single ? kSingleOutputBytes : ZSTD_CStreamOutSize();
  out_ = std::make_unique_for_overwrite<char[]>(capacity_);
}

FrameCompressor::~FrameCompressor() { ZSTD_freeCCtx(context_); }

std::size_t FrameCompressor::memory() const { return ZSTD_sizeof_CCtx(context_) + capacity_; }

void FrameCompressor::begin() {
  if (begun_) return;
  // A frame left unfinished by an error before is dropped.
  check(ZSTD_CCtx_reset(context_, ZSTD_reset_session_only));
  begun_ = true;
  first_output_ = true;
  own_header_ = false;
  size_ = 0;
}

void FrameCompressor::add(std::string_view lines, const Output& out) {
  begin();
  compress(lines, false, out);
}

std::string_view FrameCompressor::end(std::string_view lines, const Output& out) {
  // A frame given all its lines in this call: zstd knows its size, and writes it.
  begin();
  compress(lines, true, out);
  begun_ = false;
  if (!own_header_) return {};
  for (std::size_t i = 0; i < 8; ++i) header_[kSizeAt + i] = static_cast<char>(size_ >> (8 * i));  // little-endian
  return {header_.data(), header_.size()};
}

void FrameCompressor::compress(std::string_view lines, bool last, const Output& out) {
  size_ += lines.size();
  ZSTD_inBuffer input{lines.data(), lines.size(), 0};
  ZSTD_EndDirective directive = last ? ZSTD_e_end : ZSTD_e_continue;
  for (;;) {
    ZSTD_outBuffer output{out_.get(), capacity_, 0};
    std::size_t left = ZSTD_compressStream2(context_, &output, &input, directive);
    check(left);
    if (output.pos > 0) {
      std::string_view bytes(out_.get(), output.pos);
      if (first_output_) {
        pass_first(bytes, out);
      } else {
        out(bytes);
      }
    }
    if (last ? left == 0 : input.pos == input.size) return;
  }
}

void FrameCompressor::pass_first(std::string_view bytes, const Output& out) {
  first_output_ = false;
  const auto* header = reinterpret_cast<const unsigned char*>(bytes.data());
  // zstd's header of a frame of unknown size is 6 bytes: magic, descriptor, window descriptor.
  bool without_size = bytes.size() >= kSizeAt && std::memcmp(header, kMagic, sizeof kMagic) == 0 &&
                      (header[kDescriptorAt] & kDescriptorBitsUsed) == kChecksumOnly;
  if (!without_size) return out(bytes);
  own_header_ = true;
  std::memcpy(header_.data(), kMagic, sizeof kMagic);
  header_[kDescriptorAt] = static_cast<char>(kChecksumAndSize8);
  header_[kWindowAt] = static_cast<char>(header[kWindowAt]);
  std::fill(header_.begin() + kSizeAt, header_.end(), '\0');  // the size, once end() knows it
  out({header_.data(), header_.size()});
  out(bytes.substr(kSizeAt));
}

std::unique_ptr<FrameCompressor> CompressorPool::take(FrameCompressor::Kind kind) {
  std::unique_lock lock(mutex_);
  auto it = std::find_if(idle_.begin(), idle_.end(), [&](const auto& compressor) { return compressor->kind() == kind; });
  if (it == idle_.end()) {
    lock.unlock();  // a new one takes a while (a parallel one starts threads)
    return std::make_unique<FrameCompressor>(kind, level_);
  }
  std::unique_ptr<FrameCompressor> compressor = std::move(*it);
  idle_.erase(it);
  return compressor;
}

void CompressorPool::give_back(std::unique_ptr<FrameCompressor> compressor) {
  std::lock_guard lock(mutex_);
  auto singles = std::count_if(idle_.begin(), idle_.end(),
                               [](const auto& idle) { return idle->kind() == FrameCompressor::Kind::single; });
  if (compressor->kind() == FrameCompressor::Kind::single && static_cast<std::size_t>(singles) >= kIdleSingles) return;
  idle_.push_back(std::move(compressor));
}

}  // namespace millrace::archive
