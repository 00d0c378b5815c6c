# Compile options for hopfield's OWN targets (tests, examples, benchmarks).
#
# They are attached per target and PRIVATE, never to the `hopfield` interface target, so a
# project that links hopfield::hopfield gets none of them.
#
#   hopfield_target_warnings(<target>)  strict warnings (+ -Werror with HOPFIELD_WERROR)
#   hopfield_target_options(<target>)   the warnings, plus HOPFIELD_NATIVE (-march=native) and
#                                       HOPFIELD_SANITIZE (ASan + UBSan); use this one.
include_guard(GLOBAL)

function(hopfield_target_warnings target)
    if(MSVC)
        target_compile_options(${target} PRIVATE /W4 /permissive-)
        if(HOPFIELD_WERROR)
            target_compile_options(${target} PRIVATE /WX)
        endif()
        return()
    endif()
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
        # GCC 12 emits false -Wmaybe-uninitialized from inside its own avx512fintrin.h with
        # -march=native on AVX-512 machines (GCC bug 105593); it would break -Werror builds.
        target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
        # The same bug also gives a plain -Wuninitialized ('__Y' in _mm256_undefined_pd, via
        # xsimd::hadd on avx512 batches of double). Silence it only where AVX-512 code can be
        # compiled, so the ordinary builds keep this useful warning.
        if(CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13
           AND (HOPFIELD_NATIVE OR CMAKE_CXX_FLAGS MATCHES "-march=|-mavx512"))
            target_compile_options(${target} PRIVATE -Wno-uninitialized)
        endif()
    endif()
    if(HOPFIELD_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()

function(hopfield_target_options target)
    hopfield_target_warnings(${target})
    # -std=c++20 rather than gnu++20: our own code must not lean on compiler extensions.
    set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF)
    if(HOPFIELD_NATIVE)
        if(MSVC)
            message(WARNING "hopfield: HOPFIELD_NATIVE has no effect with MSVC (use /arch:)")
        else()
            # Every object of one executable must share the -march: Eigen's alignment
            # (EIGEN_MAX_ALIGN_BYTES) depends on it, so this goes on all our targets alike.
            target_compile_options(${target} PRIVATE -march=native)
        endif()
    endif()
    if(HOPFIELD_SANITIZE)
        if(MSVC)
            target_compile_options(${target} PRIVATE /fsanitize=address)
        else()
            set(_flags -fsanitize=address,undefined -fno-omit-frame-pointer
                       -fno-sanitize-recover=all)
            target_compile_options(${target} PRIVATE ${_flags})
            # OBJECT libraries are not linked: their consumer carries the link flags.
            get_target_property(_type ${target} TYPE)
            if(NOT _type STREQUAL "OBJECT_LIBRARY")
                target_link_options(${target} PRIVATE ${_flags})
            endif()
        endif()
    endif()
endfunction()
