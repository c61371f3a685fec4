#pragma once
// A load mode's driver: decides when each ticket of its schedule is sent
// and runs it on the request path. Every driver runs on one worker's event
// loop; the worker's thread is the only one that touches it.
#include <asio.hpp>

namespace llmbench {

class RequestPath;

class Driver {
 public:
  virtual ~Driver() = default;
  // Spawns the driver's coroutines on `io`; they end when the schedule is
  // over and its requests have ended. Timers a driver keeps are `io`'s: the
  // driver must be destroyed before `io` (the worker) is.
  virtual void start(asio::io_context& io, RequestPath& path) = 0;
  // On the loop's thread: the run is stopping or cancelled; wake whatever
  // sleeps so that it notices.
  virtual void wake() noexcept {}
};

}  // namespace llmbench
