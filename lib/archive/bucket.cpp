#include "archive/bucket.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "archive/object_name.h"
#include "os/fd.h"
#include "cli/error.h"

namespace millrace::archive {
namespace {

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

using os::Fd;

void write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "write");
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Runs work(i) for each i below `count`, on up to 16 threads at once (bucket.h says why).
// Rethrows the first exception, once every call begun has returned; after one, no call begins.
template <class Work>
void concurrently(std::size_t count, Work work) {
  constexpr std::size_t kThreads = 16;
  std::atomic<std::size_t> next = 0;
  std::mutex mutex;
  std::exception_ptr error;
  auto run = [&] {
    for (std::size_t i; (i = next++) < count;) {
      try {
        work(i);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!error) error = std::current_exception();
        next = count;
      }
    }
  };
  {
    std::vector<std::jthread> helpers;
    for (std::size_t i = 1; i < std::min(count, kThreads); ++i) helpers.emplace_back(run);
    run();
  }
  if (error) std::rethrow_exception(error);
}

void sync_all(const std::vector<int>& fds, std::string_view what) {
  concurrently(fds.size(), [&](std::size_t i) {
    if (::fsync(fds[i]) != 0) throw std::system_error(errno, std::generic_category(), fmt::format("fsync {}", what));
  });
}

bool valid_component(std::string_view component) {
  return !component.empty() && component != "." && component != "..";
}

}  // namespace

// The directories that gained an entry in a batch of writes, each open once, by path ("" for
// the bucket, else ending with "/").
class Bucket::Changed {
 public:
  // The descriptor of the directory `path`: `dir`'s, or the one noted before under that path.
  int note(std::string_view path, Fd dir) {
    std::lock_guard lock(mutex_);
    auto it = dirs_.find(path);
    if (it == dirs_.end()) it = dirs_.emplace(std::string(path), std::move(dir)).first;
    return it->second.get();
  }
  std::vector<int> fds() const {
    std::vector<int> fds;
    for (const auto& [path, dir] : dirs_) fds.push_back(dir.get());
    return fds;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, Fd, std::less<>> dirs_;
};

Bucket::Bucket(std::filesystem::path dir, Open open, Drafts drafts)
    : dir_(std::move(dir)), unnamed_drafts_(drafts == Drafts::unnamed && ::access("/proc/self/fd", X_OK) == 0) {
  if (open == Open::create && ::mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST)
    throw cli::Error(cli::Exit::cant_create, dir_.string(), std::strerror(errno));
  fd_ = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd_ < 0)
    throw cli::Error(errno == ENOENT && open == Open::existing ? cli::Exit::no_input : cli::Exit::cant_create,
                     dir_.string(), std::strerror(errno));
  std::error_code ec;
  id_ = std::filesystem::canonical(dir_, ec).string();
  if (ec) id_ = std::filesystem::absolute(dir_).string();
}

Bucket::~Bucket() {
  if (fd_ >= 0) ::close(fd_);
}

int Bucket::open_parent(std::string_view key, Changed* created, std::string_view& file) const {
  for (std::size_t start = 0;;) {  // the whole key first: nothing is made for a key refused
    std::size_t slash = key.find('/', start);
    std::string_view component = key.substr(start, slash == std::string_view::npos ? key.npos : slash - start);
    if (!valid_component(component) || component.find('\0') != std::string_view::npos) {
      errno = EINVAL;
      return -1;
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  int dir = ::dup(fd_);
  std::size_t start = 0;
  for (;;) {
    std::size_t slash = key.find('/', start);
    std::string_view component = key.substr(start, slash == std::string_view::npos ? key.npos : slash - start);
    if (slash == std::string_view::npos) {
      file = component;
      return dir;
    }
    std::string name(component);
    int next = ::openat(dir, name.c_str(), kDirFlags);
    if (next < 0 && errno == ENOENT && created != nullptr) {
      if (::mkdirat(dir, name.c_str(), 0755) != 0 && errno != EEXIST) {
        int saved = errno;
        ::close(dir);
        errno = saved;
        return -1;
      }
      // Its entry is fsynced with the batch's objects, so that they survive a crash.
      created->note(key.substr(0, start), Fd(::dup(dir)));
      next = ::openat(dir, name.c_str(), kDirFlags);
    }
    int saved = errno;
    ::close(dir);
    if (next < 0) {
      errno = saved;
      return -1;
    }
    dir = next;
    start = slash + 1;
  }
}

Bucket::Draft::Draft(Draft&& other) noexcept
    : root_(other.root_), fd_(std::exchange(other.fd_, -1)), name_(std::move(other.name_)), size_(other.size_) {
  other.name_.clear();
}

Bucket::Draft& Bucket::Draft::operator=(Draft&& other) noexcept {
  if (this != &other) {
    close();
    root_ = other.root_;
    fd_ = std::exchange(other.fd_, -1);
    name_ = std::exchange(other.name_, {});
    size_ = other.size_;
  }
  return *this;
}

Bucket::Draft::~Draft() { close(); }

void Bucket::Draft::close() {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  if (!name_.empty()) ::unlinkat(root_, name_.c_str(), 0);  // not published
  name_.clear();
}

void Bucket::Draft::write(std::string_view bytes) {
  write_all(fd_, bytes);
  size_ += bytes.size();
}

void Bucket::Draft::write_at_start(std::string_view bytes) {
  for (off_t at = 0; !bytes.empty();) {
    ssize_t n = ::pwrite(fd_, bytes.data(), bytes.size(), at);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "write");
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
    at += n;
  }
}

Bucket::Draft Bucket::draft() {
  if (unnamed_drafts_) {
    int fd = ::openat(fd_, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
    if (fd >= 0) return Draft(fd_, fd, "");
    // EISDIR: a kernel without O_TMPFILE; EOPNOTSUPP: a file system without it.
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
      throw cli::Error(cli::Exit::cant_create, dir_.string(), std::strerror(errno));
    unnamed_drafts_ = false;
  }
  std::string name = "." + random_id() + ".draft";
  int fd = ::openat(fd_, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) throw cli::Error(cli::Exit::cant_create, (dir_ / name).string(), std::strerror(errno));
  return Draft(fd_, fd, std::move(name));
}

void Bucket::place(Draft& draft, int dir, const std::string& file) const {
  if (!draft.name_.empty()) {
    if (::renameat(fd_, draft.name_.c_str(), dir, file.c_str()) != 0)
      throw std::system_error(errno, std::generic_category(), "rename " + file);
    draft.name_.clear();
    return;
  }
  // linkat() fails for a name that exists, where rename() replaces: a temporary name first.
  std::string temporary = temporary_name(file), path = "/proc/self/fd/" + std::to_string(draft.fd_);
  for (int attempt = 0;; ++attempt) {
    if (::linkat(AT_FDCWD, path.c_str(), dir, temporary.c_str(), AT_SYMLINK_FOLLOW) == 0) break;
    if (errno != EEXIST || attempt > 0) throw std::system_error(errno, std::generic_category(), "link " + file);
    ::unlinkat(dir, temporary.c_str(), 0);  // left by a crash
  }
  if (::renameat(dir, temporary.c_str(), dir, file.c_str()) != 0) {
    int saved = errno;
    ::unlinkat(dir, temporary.c_str(), 0);
    throw std::system_error(saved, std::generic_category(), "rename " + file);
  }
}

void Bucket::publish(std::span<const Publication> objects, bool sync) {
  struct Target {
    int dir = -1;
    std::string file;
  };
  Changed changed;  // the new directories' parents, and the objects' directories
  std::vector<Target> targets(objects.size());
  concurrently(objects.size(), [&](std::size_t i) {
    std::string_view key = objects[i].key, file;
    Fd opened(open_parent(key, &changed, file));
    if (opened.get() < 0)
      throw cli::Error(cli::Exit::cant_create, (dir_ / key).string(),
                       errno == ELOOP || errno == ENOTDIR ? "a file or symbolic link is in the way"
                                                          : std::strerror(errno));
    targets[i].dir = changed.note(key.substr(0, key.size() - file.size()), std::move(opened));
    targets[i].file = file;
  });
  if (sync) {
    std::vector<int> files;
    for (const Publication& object : objects) files.push_back(object.draft->fd_);
    sync_all(files, "object");
  }
  for (std::size_t i = 0; i < objects.size(); ++i) place(*objects[i].draft, targets[i].dir, targets[i].file);
  if (sync) sync_all(changed.fds(), "directory");
}

void Bucket::write(std::span<const Put> objects, bool sync) {
  std::vector<Draft> drafts;
  std::vector<Publication> publications;
  drafts.reserve(objects.size());
  for (const Put& object : objects) {
    drafts.push_back(draft());
    drafts.back().write(object.bytes);
  }
  for (std::size_t i = 0; i < objects.size(); ++i) publications.push_back({objects[i].key, &drafts[i]});
  publish(publications, sync);
}

bool Bucket::exists(std::string_view key) const {
  std::string_view file;
  Fd dir(open_parent(key, nullptr, file));
  if (dir.get() < 0) return false;
  struct stat st {};
  return ::fstatat(dir.get(), std::string(file).c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

void Bucket::remove_temporary(std::string_view key) {
  std::string_view file;
  Fd dir(open_parent(key, nullptr, file));
  if (dir.get() >= 0) ::unlinkat(dir.get(), temporary_name(file).c_str(), 0);
}

int Bucket::open_object(std::string_view key) const {
  std::string_view file;
  Fd dir(open_parent(key, nullptr, file));
  if (dir.get() < 0) return -1;
  return ::openat(dir.get(), std::string(file).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
}

std::vector<std::string> Bucket::list(std::string_view prefix) const {
  std::vector<std::string> keys;
  list_into(fd_, "", prefix, keys);
  return keys;
}

void Bucket::list_into(int dir_fd, const std::string& path, std::string_view prefix,
                       std::vector<std::string>& keys) const {
  // A new open file description: a dup() would share, and leave at its end, the directory
  // offset of `dir_fd`, so a second listing would find nothing.
  int fd = ::openat(dir_fd, ".", kDirFlags);
  std::unique_ptr<DIR, int (*)(DIR*)> dir(fd < 0 ? nullptr : ::fdopendir(fd), &::closedir);
  if (!dir) {
    int saved = errno;
    if (fd >= 0) ::close(fd);
    throw std::system_error(saved, std::generic_category(), "read directory " + (dir_ / path).string());
  }
  std::vector<std::pair<std::string, bool>> entries;  // name, is a directory
  errno = 0;
  while (dirent* entry = ::readdir(dir.get())) {
    std::string_view name = entry->d_name;
    if (is_temporary(name)) continue;  // also "." and ".."
    unsigned char type = entry->d_type;
    if (type == DT_UNKNOWN) {
      struct stat st {};
      if (::fstatat(::dirfd(dir.get()), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
    }
    if (type == DT_DIR || type == DT_REG) entries.emplace_back(name, type == DT_DIR);
  }
  int read_error = errno;
  for (const auto& [name, is_dir] : entries) {
    std::string key = path + name;
    if (!is_dir) {
      if (key.starts_with(prefix)) keys.push_back(key);
      continue;
    }
    std::string below = key + "/";
    if (!below.starts_with(prefix) && !prefix.starts_with(below)) continue;
    Fd child(::openat(::dirfd(dir.get()), name.c_str(), kDirFlags));
    if (child.get() < 0) continue;  // replaced meanwhile, or a symbolic link now
    list_into(child.get(), below, prefix, keys);
  }
  if (read_error != 0) throw std::system_error(read_error, std::generic_category(), "read directory");
}

}  // namespace millrace::archive
