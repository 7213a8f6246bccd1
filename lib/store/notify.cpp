#include "store/notify.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <system_error>

namespace millrace::store {
namespace {

// One page of 32-bit counters.
constexpr std::size_t kSlots = 1024;
constexpr std::size_t kFileSize = kSlots * sizeof(std::uint32_t);

}  // namespace

Notifier::Notifier(const std::filesystem::path& store_dir) {
  std::string path = (store_dir / "notify").string();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), path);
  struct stat st;
  if (::fstat(fd, &st) != 0 || (static_cast<std::size_t>(st.st_size) < kFileSize && ::ftruncate(fd, kFileSize) != 0)) {
    int error = errno;
    ::close(fd);
    throw std::system_error(error, std::generic_category(), path);
  }
  void* map = ::mmap(nullptr, kFileSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int error = errno;
  ::close(fd);
  if (map == MAP_FAILED) throw std::system_error(error, std::generic_category(), path);
  slots_ = static_cast<std::uint32_t*>(map);
}

Notifier::~Notifier() { ::munmap(slots_, kFileSize); }

std::uint32_t* Notifier::slot(std::uint32_t stream_id) const { return slots_ + stream_id % kSlots; }

std::uint32_t Notifier::epoch(std::uint32_t stream_id) const {
  return std::atomic_ref<std::uint32_t>(*slot(stream_id)).load(std::memory_order_acquire);
}

void Notifier::publish(std::uint32_t stream_id) {
  std::atomic_ref<std::uint32_t>(*slot(stream_id)).fetch_add(1, std::memory_order_release);
  // A shared (not _PRIVATE) futex: the waiters are other processes mapping the same file.
  ::syscall(SYS_futex, slot(stream_id), FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

void Notifier::wait(std::uint32_t stream_id, std::uint32_t seen, std::int64_t timeout_ms) const {
  timespec timeout{static_cast<time_t>(timeout_ms / 1000), static_cast<long>(timeout_ms % 1000) * 1'000'000};
  // Returns at once when the counter differs from `seen`: no commit is missed.
  ::syscall(SYS_futex, slot(stream_id), FUTEX_WAIT, seen, timeout_ms < 0 ? nullptr : &timeout, nullptr, 0);
}

}  // namespace millrace::store
