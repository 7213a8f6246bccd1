// Buffer: bytes that resize() leaves as they are, instead of zero-filling them.
//
// The line reader's buffer is 2 MiB (a 1 MiB line and a 1 MiB read); a one-line input uses a
// few bytes of it. Zero-filling it cost a quarter of a one-line ks-put's CPU: the memset, and a
// page fault for each of its 512 pages. Left uninitialised, a page is touched only when a read
// fills it. Readers of a Buffer read only what was written into it (lines, and simdjson's padding
// after them, whose contents simdjson ignores).
#pragma once

#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace millrace::lines {

// std::allocator, except that a value constructed without arguments is default-initialised
// (for char: left as it is) rather than value-initialised (zeroed).
template <class T>
struct UninitializedAllocator : std::allocator<T> {
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

using Buffer = std::vector<char, UninitializedAllocator<char>>;

}  // namespace millrace::lines
