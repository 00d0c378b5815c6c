#pragma once
/// \file hopfield.hpp
/// \brief Umbrella header of the hopfield library: associative memories (classical, dense,
/// exponential, modern continuous, sparse and outlier-efficient Hopfield networks) sharing one
/// similarity -> separation -> projection retrieval kernel.

// The includes go layer by layer, lowest first (README, "Layout"); not sorted alphabetically.
// clang-format off
#include "hopfield/version.hpp"

#include "hopfield/core/error.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/core/bf16.hpp"
#include "hopfield/core/thread_pool.hpp"
#include "hopfield/simd/kernels.hpp"
#include "hopfield/simd/bits.hpp"
#include "hopfield/simd/bf16.hpp"
#include "hopfield/memory/pattern_memory.hpp"
#include "hopfield/memory/bit_memory.hpp"
#include "hopfield/memory/bf16_memory.hpp"
#include "hopfield/separation/concept.hpp"
#include "hopfield/separation/identity.hpp"
#include "hopfield/separation/softmax.hpp"
#include "hopfield/separation/softmax1.hpp"
#include "hopfield/separation/sparsemax.hpp"
#include "hopfield/separation/entmax.hpp"
#include "hopfield/separation/interaction.hpp"
#include "hopfield/retrieval/workspace.hpp"
#include "hopfield/retrieval/kernel.hpp"
#include "hopfield/retrieval/bit_kernel.hpp"
#include "hopfield/models/concept.hpp"
#include "hopfield/models/modern.hpp"
#include "hopfield/models/dense.hpp"
#include "hopfield/models/couplings.hpp"
#include "hopfield/dynamics/result.hpp"
#include "hopfield/dynamics/continuous.hpp"
#include "hopfield/dynamics/binary.hpp"
#include "hopfield/io/npy.hpp"
#include "hopfield/layers/layers.hpp"
#include "hopfield/capacity/random.hpp"
#include "hopfield/capacity/generators.hpp"
#include "hopfield/capacity/corruption.hpp"
#include "hopfield/capacity/criteria.hpp"
#include "hopfield/capacity/sweep.hpp"
#include "hopfield/capacity/trial.hpp"
#include "hopfield/capacity/theory.hpp"
// clang-format on
