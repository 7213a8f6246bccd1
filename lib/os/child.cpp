#include "os/child.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>
#include <system_error>
#include <unordered_set>

extern char** environ;

namespace millrace::os {
namespace {

std::vector<char*> pointers(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

std::string_view name_of(std::string_view entry) { return entry.substr(0, entry.find('=')); }

}  // namespace

Child::Child(const Spawn& spawn) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  if (int error = ::posix_spawn_file_actions_init(&actions)) throw std::system_error(error, std::generic_category(), "posix_spawn");
  if (int error = ::posix_spawnattr_init(&attr)) {
    ::posix_spawn_file_actions_destroy(&actions);
    throw std::system_error(error, std::generic_category(), "posix_spawn");
  }
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  std::vector<char*> argv = pointers(spawn.argv);
  std::vector<char*> envp = spawn.environment ? pointers(*spawn.environment) : std::vector<char*>{};
  // Only the three descriptors survive the exec: closefrom(3) also covers descriptors opened
  // without O_CLOEXEC. The first error (ENOMEM, in practice) ends the chain.
  int error = ::posix_spawn_file_actions_adddup2(&actions, spawn.stdin_fd, 0);
  error = error ? error : ::posix_spawn_file_actions_adddup2(&actions, spawn.stdout_fd, 1);
  error = error ? error : ::posix_spawn_file_actions_adddup2(&actions, spawn.stderr_fd, 2);
  error = error ? error : ::posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  if (!spawn.directory.empty())
    error = error ? error : ::posix_spawn_file_actions_addchdir_np(&actions, spawn.directory.c_str());
  error = error ? error : ::posix_spawnattr_setsigdefault(&attr, &all);
  error = error ? error : ::posix_spawnattr_setsigmask(&attr, &none);
  error = error ? error : ::posix_spawnattr_setpgroup(&attr, 0);
  error = error ? error
                : ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
  error = error ? error
                : ::posix_spawnp(&pid_, argv[0], &actions, &attr, argv.data(),
                                 spawn.environment ? envp.data() : environ);
  ::posix_spawnattr_destroy(&attr);
  ::posix_spawn_file_actions_destroy(&actions);
  if (error) throw std::system_error(error, std::generic_category(), spawn.argv.front());
}

Child::~Child() {
  if (reaped_) return;
  kill_group();
  int status;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

void Child::kill_group() { ::kill(-pid_, SIGKILL); }

bool Child::exited() {
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "waitid");
  }
  return info.si_pid == pid_;
}

int Child::wait() {
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "waitpid");
  }
  reaped_ = true;
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

std::vector<std::string> environment_with(const std::vector<std::string>& overrides) {
  // getenv() finds the first entry of a name: each name is kept once, its last override winning.
  std::unordered_set<std::string_view> named;
  std::vector<std::string> kept;
  for (auto entry = overrides.rbegin(); entry != overrides.rend(); ++entry)
    if (named.insert(name_of(*entry)).second) kept.push_back(*entry);
  std::vector<std::string> out;
  for (char** entry = environ; *entry; ++entry)
    if (!named.contains(name_of(*entry))) out.emplace_back(*entry);
  out.insert(out.end(), kept.rbegin(), kept.rend());
  return out;
}

}  // namespace millrace::os
