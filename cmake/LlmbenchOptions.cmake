# Warnings and sanitizers, applied in one place (as spdlog and simdjson do).

function(llmbench_apply_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
      -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference
      -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough>)
  if(LLMBENCH_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
    # GCC 12 at -O2 reports -Wrestrict and -Wnull-dereference inside libstdc++
    # for plain std::string concatenation and vector growth (GCC PR 105329,
    # 105651), -Wmaybe-uninitialized inside std::regex and
    # -Wmismatched-new-delete on Asio's coroutine frames under ASan: keep them
    # visible as warnings, not errors.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${target} PRIVATE -Wno-error=restrict -Wno-error=null-dereference
        -Wno-error=maybe-uninitialized -Wno-error=mismatched-new-delete)
    endif()
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
