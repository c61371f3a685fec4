#include "llmbench/load/worker.hpp"

namespace llmbench {

Worker::Worker(const RunContext& ctx, std::uint32_t stage, std::size_t ring_capacity)
    : records_(ring_capacity),
      samples_(ring_capacity * 4),
      path_(ctx, stage, io_, WorkerOutputs{records_, samples_, counters_}) {}

Worker::~Worker() = default;

void Worker::run(Driver& driver) {
  driver_ = &driver;
  driver.start(io_, path_);
  io_.run();
  path_.close_idle_connections();
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
