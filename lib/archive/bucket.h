// Bucket: the directory that plays the S3 bucket, and the objects beneath it.
//
// Every path beneath the bucket is opened one component at a time from the bucket's own
// descriptor (openat with O_NOFOLLOW): a symbolic link inside the bucket is never followed, so
// no key, whatever it holds, reads or writes outside the bucket. A key is a relative path of
// components separated by "/"; an empty component, "." or ".." is refused.
//
// An object is written first as a draft: a file in the bucket's file system that is not an
// object yet, written as the object fills (its key is known only when it is complete). Where the
// file system can make one, a draft has no name at all (O_TMPFILE), so that a crash leaves
// nothing of it; elsewhere (overlayfs before Linux 6.6, or without /proc to link it by) it has a
// temporary name at the bucket's root, which a crash leaves behind and fh-cat never reads.
//
// Objects appear atomically: a draft is fsynced, given a temporary name (object_name.h) in its
// object's own directory, renamed into place, and the directory fsynced, so a reader never sees
// part of an object and a machine crash never loses a renamed one. New directories are fsynced
// into their parents too. Drafts are published in batches: the directories of a batch are all
// made, then the drafts all fsynced, renamed, and the directories that gained an entry fsynced,
// once each. The calls of each step run concurrently: a disk flushes its cache once for all the
// fsyncs waiting (measured on ext4: the 1,200 fsyncs of 200 objects in new directories took 4.5 s
// one after another, 0.1 s at once), and ext4 takes a while to make a directory where many
// inodes were deleted a moment before (up to 0.4 ms each, as it skips them).
//
// Errors: a key that cannot be created beneath the bucket (a file or symbolic link in the way,
// permissions) throws cli::Error(cant_create, 73); a failed write or fsync throws
// std::system_error (74), and is never retried.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace millrace::archive {

class Bucket {
 public:
  enum class Open { create, existing };
  // Drafts::named: drafts have temporary names even where they need not (for tests of that case).
  enum class Drafts { unnamed, named };
  // Opens `dir`; with Open::create, makes it (mode 0755) when missing. Throws
  // cli::Error(cant_create) or, for a missing bucket with Open::existing, cli::Error(no_input).
  Bucket(std::filesystem::path dir, Open open, Drafts drafts = Drafts::unnamed);
  ~Bucket();
  Bucket(const Bucket&) = delete;
  Bucket& operator=(const Bucket&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  // The bucket's canonical path: what the store's records of pending objects are kept under.
  const std::string& id() const { return id_; }

  // An object's file before it is one. Closed when destroyed, and removed unless published.
  // REQUIRES: the bucket outlives it. It may move to another thread.
  class Draft {
   public:
    Draft(Draft&& other) noexcept;
    Draft& operator=(Draft&& other) noexcept;
    ~Draft();

    // Appends `bytes`. Throws std::system_error.
    void write(std::string_view bytes);
    // Writes `bytes` over the first bytes written. Throws std::system_error.
    void write_at_start(std::string_view bytes);
    std::uint64_t size() const { return size_; }

   private:
    friend class Bucket;
    Draft(int root, int fd, std::string name) : root_(root), fd_(fd), name_(std::move(name)) {}
    void close();

    int root_ = -1;     // the bucket's descriptor, not owned
    int fd_ = -1;
    std::string name_;  // at the bucket's root; empty: it has none
    std::uint64_t size_ = 0;
  };
  // A new draft. Throws cli::Error(cant_create).
  Draft draft();

  struct Publication {
    std::string_view key;
    Draft* draft;
  };
  // Makes each draft of `objects` the object `key`, atomically; with `sync`, durably. On an
  // error, the drafts not yet renamed are not published.
  void publish(std::span<const Publication> objects, bool sync);

  struct Put {
    std::string_view key, bytes;
  };
  // Writes each object of `objects`: a draft each, published together.
  void write(std::span<const Put> objects, bool sync);
  bool exists(std::string_view key) const;
  // Removes the temporary file of the object `key`, if one was left by a crash.
  void remove_temporary(std::string_view key);

  // The keys of the objects beneath the bucket whose keys begin with `prefix` (as an S3 listing):
  // regular files only, without temporary files, not through symbolic links.
  std::vector<std::string> list(std::string_view prefix) const;
  // Opens the object `key` for reading; -1 with errno when it cannot be.
  int open_object(std::string_view key) const;

 private:
  class Changed;
  // Puts `draft` in place as `file` of `dir`, replacing any file of that name: linked to a
  // temporary name beside it, then renamed; or renamed from its name at the root. Throws
  // std::system_error.
  void place(Draft& draft, int dir, const std::string& file) const;
  // The directory of `key`'s last component, opened beneath the bucket, and that component. -1
  // with errno when a directory is missing or not one. With `created`, makes missing
  // directories, and notes their parents there.
  int open_parent(std::string_view key, Changed* created, std::string_view& file) const;
  void list_into(int dir_fd, const std::string& path, std::string_view prefix, std::vector<std::string>& keys) const;

  std::filesystem::path dir_;
  std::string id_;
  int fd_ = -1;
  bool unnamed_drafts_;  // until the file system says it cannot make them
};

}  // namespace millrace::archive
