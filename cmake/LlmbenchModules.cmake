# One target per module (llmbench_util, llmbench_http, ...), built from
# cmake/module_deps.txt: each module is a static library of its own
# src/<module>/*.cpp (GLOB'd, so a new file needs no CMake edit) that links
# only the modules the table allows.
#
# The boundaries show at compile time: each module's headers are reachable
# only through an include root of its own (build/module_include/<module>/,
# holding a link to include/llmbench/<module>), which a target sees only if it
# links that module, directly or through an allowed module. `load` links no
# path to `report`, so `#include "llmbench/report/..."` in src/load/ does not
# compile. What linking cannot catch (a module including a header of a module
# it reaches only indirectly) the boundary test does, from the same table.

set(LLMBENCH_MODULE_TABLE "${PROJECT_SOURCE_DIR}/cmake/module_deps.txt")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${LLMBENCH_MODULE_TABLE}")

# Reads the table into LLMBENCH_MODULES (in order) and LLMBENCH_DEPS_<module>.
function(llmbench_read_module_table)
  file(STRINGS "${LLMBENCH_MODULE_TABLE}" lines REGEX "^[a-z_]+:")
  set(modules "")
  foreach(line IN LISTS lines)
    string(REGEX MATCH "^([a-z_]+):(.*)$" _ "${line}")
    set(module "${CMAKE_MATCH_1}")
    string(STRIP "${CMAKE_MATCH_2}" deps)
    separate_arguments(deps UNIX_COMMAND "${deps}")
    foreach(dep IN LISTS deps)
      if(NOT dep IN_LIST modules)
        message(FATAL_ERROR "${LLMBENCH_MODULE_TABLE}: ${module} uses ${dep}, which is not listed before it")
      endif()
    endforeach()
    list(APPEND modules "${module}")
    set(LLMBENCH_DEPS_${module} "${deps}" PARENT_SCOPE)
  endforeach()
  set(LLMBENCH_MODULES "${modules}" PARENT_SCOPE)
endfunction()

# Defines llmbench_<module>: a static library, or an interface library for a
# header-only module (record).
function(llmbench_add_module module)
  set(target llmbench_${module})
  set(root "${PROJECT_BINARY_DIR}/module_include/${module}")
  file(MAKE_DIRECTORY "${root}/llmbench")
  if(EXISTS "${PROJECT_SOURCE_DIR}/include/llmbench/${module}")
    file(CREATE_LINK "${PROJECT_SOURCE_DIR}/include/llmbench/${module}" "${root}/llmbench/${module}" SYMBOLIC)
  endif()
  file(GLOB sources CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/src/${module}/*.cpp")
  set(deps "")
  foreach(dep IN LISTS LLMBENCH_DEPS_${module})
    list(APPEND deps llmbench_${dep})
  endforeach()
  if(sources)
    add_library(${target} STATIC ${sources})
    target_include_directories(${target} PUBLIC "${root}")
    target_link_libraries(${target} PUBLIC ${deps})
    llmbench_apply_warnings(${target})
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE "${root}")
    target_link_libraries(${target} INTERFACE ${deps})
  endif()
  add_library(llmbench::${module} ALIAS ${target})
endfunction()

llmbench_read_module_table()
foreach(module IN LISTS LLMBENCH_MODULES)
  llmbench_add_module(${module})
endforeach()
set(LLMBENCH_MODULE_TARGETS "")
foreach(module IN LISTS LLMBENCH_MODULES)
  if(NOT EXISTS "${PROJECT_SOURCE_DIR}/src/${module}" AND NOT EXISTS "${PROJECT_SOURCE_DIR}/include/llmbench/${module}")
    message(FATAL_ERROR "${LLMBENCH_MODULE_TABLE}: module ${module} has no folder under src/ or include/llmbench/")
  endif()
  get_target_property(type llmbench_${module} TYPE)
  if(NOT type STREQUAL "INTERFACE_LIBRARY")
    list(APPEND LLMBENCH_MODULE_TARGETS llmbench_${module})
  endif()
endforeach()
