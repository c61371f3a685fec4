#pragma once
// A fixed-capacity single-producer single-consumer ring (after rigtorp/SPSCQueue).
//
// Each worker thread owns the producer side of its rings and the aggregator owns
// the consumer side. Producer and consumer indices live on their own cache lines,
// and each side keeps a private copy of the other side's index so it only touches
// the shared one (acquire) when its copy says the ring is full or empty. Nothing
// here allocates after construction and nothing locks.
#include <atomic>
#include <cstddef>
#include <memory>
#include <new>
#include <optional>
#include <type_traits>

namespace llmbench {

inline constexpr std::size_t kCacheLine = 64;

template <class T>
class SpscRing {
  static_assert(std::is_trivially_copyable_v<T>, "ring elements are copied byte-wise");
  static_assert(std::is_default_constructible_v<T>);

 public:
  // Capacity is rounded up to a power of two so indices wrap with a mask.
  explicit SpscRing(std::size_t min_capacity)
      : capacity_(round_up_pow2(min_capacity < 2 ? 2 : min_capacity)),
        mask_(capacity_ - 1),
        slots_(std::make_unique<T[]>(capacity_)) {}

  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  // Producer side. Returns false when the ring is full.
  [[nodiscard]] bool try_push(const T& value) noexcept {
    const std::size_t head = head_.load(std::memory_order_relaxed);
    if (head - tail_cache_ == capacity_) {
      tail_cache_ = tail_.load(std::memory_order_acquire);
      if (head - tail_cache_ == capacity_) return false;
    }
    slots_[head & mask_] = value;
    head_.store(head + 1, std::memory_order_release);
    return true;
  }

  // Consumer side. Returns false when the ring is empty.
  [[nodiscard]] bool try_pop(T& out) noexcept {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail == head_cache_) {
      head_cache_ = head_.load(std::memory_order_acquire);
      if (tail == head_cache_) return false;
    }
    out = slots_[tail & mask_];
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }

  // Approximate; for progress display and tests only.
  [[nodiscard]] std::size_t size_approx() const noexcept {
    return head_.load(std::memory_order_acquire) - tail_.load(std::memory_order_acquire);
  }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

 private:
  static std::size_t round_up_pow2(std::size_t n) noexcept {
    std::size_t p = 1;
    while (p < n) p <<= 1;
    return p;
  }

  const std::size_t capacity_;
  const std::size_t mask_;
  std::unique_ptr<T[]> slots_;

  alignas(kCacheLine) std::atomic<std::size_t> head_{0};  // written by the producer
  std::size_t tail_cache_ = 0;                             // producer's copy of tail_
  alignas(kCacheLine) std::atomic<std::size_t> tail_{0};  // written by the consumer
  std::size_t head_cache_ = 0;                             // consumer's copy of head_
  char pad_[kCacheLine - sizeof(std::size_t)]{};
};

}  // namespace llmbench
