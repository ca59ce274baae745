// SPDX-License-Identifier: Apache-2.0
/// @file artifact.hpp Everything in artifact/ that the core needs: tensors, manifest, artifact,
/// the v1 byte format, encode and decode, mapped files, the JSON human form, and to_artifact /
/// load<Model> for the models the caller includes. Included separately: artifact/any_model.hpp
/// (load_any; it includes every model family, which a translation unit that names its model
/// should not pay for) and the optional HMAC signatures (artifact/signature.hpp, needs OpenSSL).
#pragma once

#include "artifact/artifact.hpp"
#include "artifact/codec.hpp"
#include "artifact/format.hpp"
#include "artifact/json_form.hpp"
#include "artifact/manifest.hpp"
#include "artifact/mapped_file.hpp"
#include "artifact/model_io.hpp"
#include "artifact/tensor.hpp"
