# Warnings and sanitizers, applied in one place (as spdlog and simdjson do).

function(llmbench_apply_warnings target)
  # No -Wnull-dereference: GCC 12 reports it at -O2 only after inlining, and in
  # this tree it fired only inside library code inlined into ours (43 times in
  # a release build: 40 in Asio's scheduler::compensating_work_started, which
  # dereferences the calling thread's info by design, 3 in libstdc++'s
  # std::string and std::unique_ptr<T[]> in tests), never at a line of ours.
  # A path-sensitive warning that only ever fires in other people's headers is
  # noise a new user cannot act on.
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
      -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
      -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough>)
  # Every other warning is an error: a false positive is silenced at its line
  # with a comment naming the GCC bug, not here.
  if(LLMBENCH_SANITIZE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # Sanitizer builds only (CI's, never the quick-start build): GCC 12's
    # instrumentation makes -Wmaybe-uninitialized fire inside libstdc++'s
    # std::regex (std::function moved in regex_automaton.h, GCC PR 105616)
    # and -Wmismatched-new-delete on Asio's coroutine frames, both in system
    # headers. The release build keeps both warnings on, as errors.
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized -Wno-mismatched-new-delete)
  endif()
  if(LLMBENCH_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(LLMBENCH_SANITIZE)
  message(STATUS "llmbench: sanitizers ${LLMBENCH_SANITIZE}")
  add_compile_options(-fsanitize=${LLMBENCH_SANITIZE} -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=${LLMBENCH_SANITIZE})
  if(LLMBENCH_SANITIZE MATCHES "undefined")
    add_compile_options(-fno-sanitize-recover=undefined)
  endif()
  if(LLMBENCH_SANITIZE MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC warns that TSan does not model std::atomic_thread_fence (used by
    # Asio's internals); our own code has no fences. Not an error.
    add_compile_options(-Wno-tsan)
  endif()
endif()

# simdjson's on-demand API picks its kernel at compile time (no runtime
# dispatch): without SSE4.2/PCLMUL it falls back to scalar code. x86-64-v2
# with PCLMUL (every x86-64 CPU since 2010) selects simdjson's "westmere"
# kernel; `-DLLMBENCH_MARCH=native` lets it pick AVX2/AVX-512 where built.
set(LLMBENCH_MARCH "x86-64-v2" CACHE STRING "Value for -march on x86_64 ('' to leave the compiler's default)")
if(LLMBENCH_MARCH AND CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  add_compile_options(-march=${LLMBENCH_MARCH})
  if(LLMBENCH_MARCH STREQUAL "x86-64-v2")
    add_compile_options(-mpclmul)
  endif()
endif()
