#pragma once
/// \file layers.hpp
/// \brief The Hopfield layers in one include: Hopfield, HopfieldPooling, HopfieldLayer, plain
/// retrieval, LayerNorm, masks, tensors and state_dict / .npy weights (docs/layers.md).

#include "hopfield/io/npy.hpp"
#include "hopfield/layers/hopfield.hpp"
#include "hopfield/layers/hopfield_layer.hpp"
#include "hopfield/layers/layer_norm.hpp"
#include "hopfield/layers/mask.hpp"
#include "hopfield/layers/options.hpp"
#include "hopfield/layers/pooling.hpp"
#include "hopfield/layers/state_dict.hpp"
#include "hopfield/layers/tensor.hpp"
