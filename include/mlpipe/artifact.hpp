// SPDX-License-Identifier: Apache-2.0
/// @file artifact.hpp Everything in artifact/ that the core needs: tensors, manifest, artifact,
/// the v1 byte format, encode and decode, mapped files, the JSON human form. The optional HMAC
/// signatures (artifact/signature.hpp, needs OpenSSL) are included separately.
#pragma once

#include "artifact/any_model.hpp"
#include "artifact/artifact.hpp"
#include "artifact/codec.hpp"
#include "artifact/format.hpp"
#include "artifact/json_form.hpp"
#include "artifact/manifest.hpp"
#include "artifact/mapped_file.hpp"
#include "artifact/model_io.hpp"
#include "artifact/tensor.hpp"
