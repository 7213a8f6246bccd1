// Notifier: commit notification between the processes of one store.
//
// The file `notify` beside data.mdb holds a counter per stream slot in shared memory. A writer
// bumps its stream's counter after each commit and wakes the waiters (a futex on the shared
// mapping); a follower reads the counter before it looks for new records and, finding none,
// sleeps until the counter differs. No commit can slip between the look and the sleep, a
// follower costs no CPU while idle, and it wakes within microseconds of a commit.
//
// Slots are shared by streams whose ids collide modulo the slot count: a follower may then wake
// for another stream's commit and find nothing, which costs one look.
#pragma once

#include <cstdint>
#include <filesystem>

namespace millrace::store {

// A follower wakes at least this often, to notice a stop signal that came just before its wait.
constexpr std::int64_t kLongestFollowerWaitMs = 1000;

class Notifier {
 public:
  // Opens (creating, mode 0600) the store's notify file. Throws std::system_error.
  explicit Notifier(const std::filesystem::path& store_dir);
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  std::uint32_t epoch(std::uint32_t stream_id) const;
  // After a commit to the stream: bumps its counter and wakes whoever waits on it.
  void publish(std::uint32_t stream_id);
  // Sleeps until the stream's counter differs from `seen`, `timeout_ms` passes (negative: no
  // limit), or a signal arrives.
  void wait(std::uint32_t stream_id, std::uint32_t seen, std::int64_t timeout_ms) const;

 private:
  std::uint32_t* slot(std::uint32_t stream_id) const;
  std::uint32_t* slots_ = nullptr;
};

}  // namespace millrace::store
