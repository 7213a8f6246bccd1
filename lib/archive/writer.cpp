#include "archive/writer.h"

#include <algorithm>
#include <utility>

namespace millrace::archive {
namespace {

constexpr std::size_t kToCompressBytes = 32 << 20;
constexpr std::size_t kToWriteBytes = 64 << 20;
// A batch's files and directories stay far below the limit of open descriptors.
constexpr std::size_t kBatchObjects = 32;
constexpr std::size_t kSpareLines = 4;
// Lines buffers grow beyond this by doubling, rather than reserve all of a large --buffer-size
// for every partition.
constexpr std::size_t kReservedBytes = 16 << 20;

}  // namespace

ObjectWriter::ObjectWriter(Bucket& bucket, Compression compression, int level, bool sync)
    : bucket_(bucket), compression_(compression), level_(level), sync_(sync) {
  unsigned threads = compression == Compression::none ? 1 : std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  for (unsigned i = 0; i < threads; ++i) compressors_.emplace_back([this] { compress_loop(); });
  writer_ = std::thread([this] { write_loop(); });
}

ObjectWriter::~ObjectWriter() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  for (std::thread& compressor : compressors_) compressor.join();
  writer_.join();
}

std::uint64_t ObjectWriter::write(std::string key, std::string lines) {
  std::uint64_t id;
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return error_ || to_compress_bytes_ < kToCompressBytes; });
    check();
    id = next_id_++;
    to_compress_bytes_ += lines.size();
    ++unwritten_;
    to_compress_.push_back({id, std::move(key), lines.size(), std::move(lines), {}});
  }
  changed_.notify_all();
  return id;
}

std::string ObjectWriter::lines_buffer(std::size_t bytes) {
  std::string lines;
  {
    std::lock_guard lock(mutex_);
    if (!spare_lines_.empty()) {
      lines = std::move(spare_lines_.back());
      spare_lines_.pop_back();
    }
  }
  lines.reserve(std::min(bytes, kReservedBytes));
  return lines;
}

std::vector<ObjectWriter::Written> ObjectWriter::written() {
  std::lock_guard lock(mutex_);
  check();
  return std::exchange(written_, {});
}

void ObjectWriter::drain() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return error_ || unwritten_ == 0; });
  check();
}

void ObjectWriter::check() const {
  if (error_) std::rethrow_exception(error_);
}

void ObjectWriter::fail(std::exception_ptr error) {
  {
    std::lock_guard lock(mutex_);
    if (!error_) error_ = error;
    stop_ = true;
  }
  changed_.notify_all();
}

void ObjectWriter::keep_spare(std::string& lines) {
  if (spare_lines_.size() >= kSpareLines) return;
  lines.clear();
  spare_lines_.push_back(std::move(lines));
}

std::string_view ObjectWriter::bytes(const Object& object) const {
  return compression_ == Compression::zstd ? object.compressed : object.lines;
}

void ObjectWriter::compress_loop() {
  try {
    Compressor compressor(compression_, level_);
    for (;;) {
      Object object;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return stop_ || !to_compress_.empty(); });
        if (stop_) return;
        object = std::move(to_compress_.front());
        to_compress_.pop_front();
      }
      bool zstd = compression_ == Compression::zstd;
      if (zstd) object.compressed.assign(compressor.compress(object.lines));
      {
        std::unique_lock lock(mutex_);
        to_compress_bytes_ -= object.lines.size();
        if (zstd) keep_spare(object.lines);
        changed_.wait(lock, [&] { return stop_ || to_write_bytes_ < kToWriteBytes; });
        if (stop_) return;
        to_write_bytes_ += bytes(object).size();
        to_write_.push_back(std::move(object));
      }
      changed_.notify_all();
    }
  } catch (...) {
    fail(std::current_exception());
  }
}

void ObjectWriter::write_loop() {
  try {
    for (;;) {
      std::vector<Object> batch;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return stop_ || !to_write_.empty(); });
        if (stop_) return;
        while (!to_write_.empty() && batch.size() < kBatchObjects) {
          batch.push_back(std::move(to_write_.front()));
          to_write_.pop_front();
        }
      }
      std::vector<Bucket::Put> puts;
      for (const Object& object : batch) puts.push_back({object.key, bytes(object)});
      bucket_.write(puts, sync_);
      {
        std::lock_guard lock(mutex_);
        for (Object& object : batch) {
          written_.push_back({object.id, object.size, bytes(object).size()});
          to_write_bytes_ -= bytes(object).size();
          --unwritten_;
          if (compression_ == Compression::none) keep_spare(object.lines);
        }
      }
      changed_.notify_all();
    }
  } catch (...) {
    fail(std::current_exception());
  }
}

}  // namespace millrace::archive
