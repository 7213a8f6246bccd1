// Bucket: the directory that plays the S3 bucket, and the objects beneath it.
//
// Every path beneath the bucket is opened one component at a time from the bucket's own
// descriptor (openat with O_NOFOLLOW): a symbolic link inside the bucket is never followed, so
// no key, whatever it holds, reads or writes outside the bucket. A key is a relative path of
// components separated by "/"; an empty component, "." or ".." is refused.
//
// Objects appear atomically: written under a temporary name (object_name.h) in their own
// directory, fsynced, renamed into place, and the directory fsynced, so a reader never sees part
// of an object and a machine crash never loses a renamed one. New directories are fsynced into
// their parents too. Objects are written in batches: the temporary files of a batch are all
// written (and their directories made), then all fsynced, renamed, and the directories that
// gained an entry fsynced, once each. The calls of each step run concurrently: a disk flushes
// its cache once for all the fsyncs waiting (measured on ext4: the 1,200 fsyncs of 200 objects
// in new directories took 4.5 s one after another, 0.1 s at once), and ext4 takes a while to
// make a directory where many inodes were deleted a moment before (up to 0.4 ms each, as it
// skips them).
//
// Errors: a key that cannot be created beneath the bucket (a file or symbolic link in the way,
// permissions) throws cli::Error(cant_create, 73); a failed write or fsync throws
// std::system_error (74), and is never retried.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace millrace::archive {

class Bucket {
 public:
  enum class Open { create, existing };
  // Opens `dir`; with Open::create, makes it (mode 0755) when missing. Throws
  // cli::Error(cant_create) or, for a missing bucket with Open::existing, cli::Error(no_input).
  Bucket(std::filesystem::path dir, Open open);
  ~Bucket();
  Bucket(const Bucket&) = delete;
  Bucket& operator=(const Bucket&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  // The bucket's canonical path: what the store's records of pending objects are kept under.
  const std::string& id() const { return id_; }

  struct Put {
    std::string_view key, bytes;
  };
  // Writes each object of `objects`, atomically; with `sync`, durably. On an error, the objects
  // not yet renamed are not written.
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
  // The directory of `key`'s last component, opened beneath the bucket, and that component. -1
  // with errno when a directory is missing or not one. With `created`, makes missing
  // directories, and notes their parents there.
  int open_parent(std::string_view key, Changed* created, std::string_view& file) const;
  void list_into(int dir_fd, const std::string& path, std::string_view prefix, std::vector<std::string>& keys) const;

  std::filesystem::path dir_;
  std::string id_;
  int fd_ = -1;
};

}  // namespace millrace::archive
