// Child: a process millrace starts (a --exec handler, a Lambda runtime), in a process group of
// its own, with every signal at its default disposition and none blocked (whatever we ignore or
// catch: a child inheriting SIG_IGN for SIGPIPE would loop on EPIPE), and with no descriptor
// but the three it is given: the store's descriptors never reach it. Being in its own group, it
// does not receive a terminal's Ctrl-C, and killing the group kills what it started too.
//
// While it is not reaped, destroying the Child kills its whole group and reaps it, so that no
// child outlives the object (or an exception) that owns it.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace millrace::os {

struct Spawn {
  std::vector<std::string> argv;  // argv[0] is the program, looked up in PATH when it has no '/'
  // NAME=VALUE entries; nullopt: our own environment.
  std::optional<std::vector<std::string>> environment;
  std::string directory;  // the working directory; empty: ours
  int stdin_fd = 0, stdout_fd = 1, stderr_fd = 2;
};

class Child {
 public:
  // Throws std::system_error when the process cannot be started (ENOENT for a program that is
  // not there, ENOMEM, a working directory that cannot be entered).
  explicit Child(const Spawn& spawn);
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();

  pid_t pid() const { return pid_; }
  // SIGKILL to the group, whose id is the child's pid while it is unreaped (a zombie leader keeps
  // the id from being reused).
  void kill_group();
  // True when the child has exited, without reaping it.
  bool exited();
  // Reaps the child, waiting for it; returns its exit status, or 128 + the signal that killed it.
  int wait();

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// The environment of a child: ours, with `overrides` (NAME=VALUE) replacing or adding entries,
// in the order given after ours.
std::vector<std::string> environment_with(const std::vector<std::string>& overrides);

}  // namespace millrace::os
