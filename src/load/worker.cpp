#include "llmbench/load/worker.hpp"

#include <time.h>

#include "llmbench/util/clock.hpp"

namespace llmbench {
namespace {
std::int64_t thread_cpu_ns() noexcept {
  timespec ts{};
  if (::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}
}  // namespace
}  // namespace llmbench

namespace llmbench {

Worker::Worker(const RunContext& ctx, std::uint32_t stage, std::size_t ring_capacity)
    : records_(ring_capacity),
      samples_(ring_capacity * 4),
      path_(ctx, stage, io_, WorkerOutputs{records_, samples_, counters_}) {}

Worker::~Worker() = default;

void Worker::run(Driver& driver) {
  const std::int64_t wall0 = now_ns();
  const std::int64_t cpu0 = thread_cpu_ns();
  driver_ = &driver;
  driver.start(io_, path_);
  io_.run();
  path_.close_idle_connections();
  counters_.thread_cpu_ns.store(thread_cpu_ns() - cpu0, std::memory_order_relaxed);
  counters_.thread_wall_ns.store(now_ns() - wall0, std::memory_order_relaxed);
}

// Closing sockets and waking timers must happen on the worker's own thread.
void Worker::cancel() noexcept {
  asio::post(io_, [this] {
    path_.cancel_all();
    if (driver_ != nullptr) driver_->wake();
  });
}

void Worker::stop_scheduling() noexcept {
  asio::post(io_, [this] {
    if (driver_ != nullptr) driver_->wake();
  });
}

}  // namespace llmbench
