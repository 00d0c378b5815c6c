# Configures, builds and runs the consumer project in this folder against hopfield.
#
#   cmake -DMODE=install|subdirectory -DSOURCE_DIR=<hopfield source> -DCONSUMER_DIR=<this folder>
#         -DWORK_DIR=<scratch folder, wiped> [-DBUILD_DIR=<hopfield build tree, MODE=install>]
#         [-DCXX=<compiler>] [-DGENERATOR=<generator>] [-DMAKE_PROGRAM=<make/ninja>]
#         [-DCONFIG=<configuration>] [-DEXPECTED_VERSION=<x.y.z>] -P run_consumer.cmake
#
# MODE=install:      cmake --install BUILD_DIR into WORK_DIR/prefix, then the consumer does
#                    find_package(hopfield 0.1 REQUIRED) with CMAKE_PREFIX_PATH=WORK_DIR/prefix.
# MODE=subdirectory: the consumer does add_subdirectory(SOURCE_DIR).
cmake_minimum_required(VERSION 3.20)

foreach(_var MODE SOURCE_DIR CONSUMER_DIR WORK_DIR)
    if(NOT DEFINED ${_var} OR "${${_var}}" STREQUAL "")
        message(FATAL_ERROR "run_consumer.cmake: -D${_var}=... is required")
    endif()
endforeach()

function(run_step what)
    message(STATUS "consumer (${MODE}): ${what}")
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE _rc TIMEOUT 300)
    if(NOT _rc EQUAL 0)
        list(JOIN ARGN " " _command)
        message(FATAL_ERROR "consumer (${MODE}): ${what} failed (${_rc}):\n  ${_command}")
    endif()
endfunction()

# Start from scratch every time: a stale cache could hide a packaging bug.
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

set(_configure "${CMAKE_COMMAND}" -S "${CONSUMER_DIR}" -B "${WORK_DIR}/build"
               "-DHOPFIELD_CONSUMER_MODE=${MODE}")
if(GENERATOR)
    list(APPEND _configure -G "${GENERATOR}")
endif()
if(MAKE_PROGRAM)
    list(APPEND _configure "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
if(CXX)
    list(APPEND _configure "-DCMAKE_CXX_COMPILER=${CXX}")
endif()
if(EXPECTED_VERSION)
    list(APPEND _configure "-DHOPFIELD_EXPECTED_VERSION=${EXPECTED_VERSION}")
endif()
set(_config_args "")
if(CONFIG)
    set(_config_args --config "${CONFIG}")
endif()

if(MODE STREQUAL "install")
    if(NOT BUILD_DIR)
        message(FATAL_ERROR "run_consumer.cmake: MODE=install needs -DBUILD_DIR=...")
    endif()
    set(_prefix "${WORK_DIR}/prefix")
    run_step("install hopfield into ${_prefix}"
             "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${_prefix}" ${_config_args})
    list(APPEND _configure "-DCMAKE_PREFIX_PATH=${_prefix}" "-DHOPFIELD_EXPECTED_PREFIX=${_prefix}")
elseif(MODE STREQUAL "subdirectory")
    list(APPEND _configure "-DHOPFIELD_SOURCE_DIR=${SOURCE_DIR}")
else()
    message(FATAL_ERROR "run_consumer.cmake: unknown MODE '${MODE}'")
endif()

# The first ```cpp block of the README is the quick-start users copy: build and run it too.
file(READ "${SOURCE_DIR}/README.md" _readme)
string(FIND "${_readme}" "```cpp\n" _begin)
if(_begin EQUAL -1)
    message(FATAL_ERROR "consumer: README.md has no ```cpp quick-start block")
endif()
math(EXPR _begin "${_begin} + 7")
string(SUBSTRING "${_readme}" ${_begin} -1 _rest)
string(FIND "${_rest}" "```" _end)
string(SUBSTRING "${_rest}" 0 ${_end} _quickstart)
file(WRITE "${WORK_DIR}/quickstart.cpp" "${_quickstart}")
list(APPEND _configure "-DHOPFIELD_QUICKSTART=${WORK_DIR}/quickstart.cpp")

run_step("configure" ${_configure})
run_step("build" "${CMAKE_COMMAND}" --build "${WORK_DIR}/build" ${_config_args})

set(_exe "${WORK_DIR}/build/bin/hopfield_consumer")
if(EXISTS "${_exe}.exe")
    set(_exe "${_exe}.exe")
endif()
run_step("run" "${_exe}")
run_step("run the README quick-start" "${WORK_DIR}/build/bin/hopfield_quickstart")
