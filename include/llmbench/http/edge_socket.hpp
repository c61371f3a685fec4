#pragma once
// A TCP socket whose "wait until readable" costs no system call of its own.
//
// Why: asio 1.22's async_wait(wait_read) re-arms the descriptor every time
// (epoll_ctl MOD), because the reactor forgets an edge that arrived while no
// operation waited. On a paced stream, one token per segment, that is one
// epoll_ctl per token on top of the epoll_wait and the read: three system
// calls where a plain epoll reader makes one and a half (bench/RESULTS.md,
// round 2).
//
// How: the reactor registers every socket edge-triggered, and it does
// remember edges, per descriptor, in a flag (try_speculative_) that any event
// sets and that an operation clears by reporting itself "done and
// exhausted". async_wait_readable() queues an operation whose perform step
// does nothing but report that. So:
//   - when an edge came since the last wait, the wait completes at once
//     (posted), clearing the flag;
//   - otherwise it is queued with no system call, and the next edge
//     completes it from the reactor.
// The contract that makes this correct: after a wait completes, the caller
// reads until the kernel's queue is empty (EAGAIN, EOF, an error, or a read
// whose TCP_INQ message says it left nothing) before it waits again. Every
// byte that arrives after that read raises a new edge. Connection::read and
// StampedSocket keep it. A read shorter than its buffer is NOT enough: when
// the peer's last bytes and its FIN arrive in one burst (one edge),
// tcp_recvmsg returns the bytes and leaves the end-of-file for the next read,
// and no edge will ever announce it (rx_timestamp.hpp, enable_rx_inq).
//
// This uses asio's reactor internals (asio/detail), so it is compiled only
// for the epoll reactor that Debian's asio 1.22 uses; elsewhere it is a plain
// async_wait.
#include <asio.hpp>

#include <system_error>
#include <utility>

namespace llmbench::http {

#if defined(ASIO_HAS_EPOLL) && !defined(ASIO_HAS_IO_URING_AS_DEFAULT) && !defined(ASIO_DISABLE_EPOLL)
#define LLMBENCH_EDGE_WAIT 1

namespace edge_detail {

// A reactor operation that reports the socket ready and its edge consumed.
template <class Handler, class IoExecutor>
class ReadableOp : public asio::detail::reactor_op {
 public:
  ASIO_DEFINE_HANDLER_PTR(ReadableOp);

  ReadableOp(Handler& handler, const IoExecutor& io_ex)
      : asio::detail::reactor_op(std::error_code(), &ReadableOp::do_perform, &ReadableOp::do_complete),
        handler_(std::move(handler)),
        work_(handler_, io_ex) {}

  static status do_perform(asio::detail::reactor_op*) { return done_and_exhausted; }

  static void do_complete(void* owner, asio::detail::operation* base, const std::error_code&, std::size_t) {
    auto* o = static_cast<ReadableOp*>(base);
    ptr p = {asio::detail::addressof(o->handler_), o, o};
    asio::detail::handler_work<Handler, IoExecutor> w(std::move(o->work_));
    // The handler is moved out before the operation's memory is freed (it
    // may own that memory), then called.
    asio::detail::binder1<Handler, std::error_code> handler(o->handler_, o->ec_);
    p.h = asio::detail::addressof(handler.handler_);
    p.reset();
    if (owner != nullptr) {
      asio::detail::fenced_block b(asio::detail::fenced_block::half);
      w.complete(handler, handler.handler_);
    }
  }

 private:
  Handler handler_;
  asio::detail::handler_work<Handler, IoExecutor> work_;
};

}  // namespace edge_detail
#endif

class EdgeSocket : public asio::ip::tcp::socket {
 public:
  using asio::ip::tcp::socket::socket;

  // Completes when the socket may have bytes (or failed, or was closed:
  // operation_aborted). See the contract above.
  template <class Token>
  auto async_wait_readable(Token&& token) {
#ifdef LLMBENCH_EDGE_WAIT
    return asio::async_initiate<Token, void(std::error_code)>(
        [this](auto handler) {
          using Handler = std::decay_t<decltype(handler)>;
          using Op = edge_detail::ReadableOp<Handler, executor_type>;
          auto& impl = impl_.get_implementation();
          // Looked up once: use_service takes the registry's mutex and
          // compares type names (1.8 % of all instructions when done per wait).
          if (reactor_ == nullptr) {
            reactor_ = &asio::use_service<asio::detail::reactor>(asio::query(get_executor(), asio::execution::context));
          }
          asio::detail::reactor& reactor = *reactor_;
          const bool is_continuation = asio_handler_cont_helpers::is_continuation(handler);
          typename Op::ptr p = {asio::detail::addressof(handler), Op::ptr::allocate(handler), nullptr};
          p.p = new (p.v) Op(handler, get_executor());
          // Speculative start: no epoll_ctl; performs at once when an edge is
          // pending, else queues for the next one.
          reactor.start_op(asio::detail::reactor::read_op, impl.socket_, impl.reactor_data_, p.p, is_continuation,
                           true);
          p.v = p.p = nullptr;
        },
        token);
#else
    return async_wait(asio::ip::tcp::socket::wait_read, std::forward<Token>(token));
#endif
  }

#ifdef LLMBENCH_EDGE_WAIT
 private:
  asio::detail::reactor* reactor_ = nullptr;
#endif
};

}  // namespace llmbench::http
