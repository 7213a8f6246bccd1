#include "store/map_guard.h"

#include <algorithm>
#include <vector>

namespace millrace::store {
namespace {

// How many times this thread is inside each guard it is inside: nearly always one guard, so a
// short list.
struct Entries {
  const MapGuard* guard;
  std::uint32_t count;
};
thread_local std::vector<Entries> entered;

std::vector<Entries>::iterator find(const MapGuard* guard) {
  return std::find_if(entered.begin(), entered.end(), [&](const Entries& e) { return e.guard == guard; });
}

std::uint32_t own_entries(const MapGuard* guard) {
  auto it = find(guard);
  return it == entered.end() ? 0 : it->count;
}

}  // namespace

void MapGuard::enter() {
  auto it = find(this);
  if (it != entered.end()) {  // inside already: waiting would wait for itself
    inside_.fetch_add(1);
    ++it->count;
    return;
  }
  // seq_cst both here and in hold_back: either this thread sees remapping_ set, or the remapping
  // thread sees this entry.
  for (;;) {
    inside_.fetch_add(1);
    if (!remapping_.load()) break;
    inside_.fetch_sub(1);
    inside_.notify_all();
    remapping_.wait(true);
  }
  entered.push_back({this, 1});
}

void MapGuard::leave() {
  auto it = find(this);
  if (--it->count == 0) entered.erase(it);
  inside_.fetch_sub(1);
  if (remapping_.load()) inside_.notify_all();
}

void MapGuard::hold_back() {
  remapping_.store(true);
  std::uint32_t own = own_entries(this);
  for (std::uint32_t n = inside_.load(); n != own; n = inside_.load()) inside_.wait(n);
}

void MapGuard::let_in() {
  remapping_.store(false);
  remapping_.notify_all();
}

}  // namespace millrace::store
