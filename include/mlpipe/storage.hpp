// SPDX-License-Identifier: Apache-2.0
/// @file storage.hpp Everything in storage/: the blob_store, data_source and message_queue
/// concepts, their embedded backends and the run-time handles opened from URIs.
#pragma once

#include "storage/any_blob_store.hpp"
#include "storage/any_data_source.hpp"
#include "storage/any_message_queue.hpp"
#include "storage/blob_store.hpp"
#include "storage/csv_data_source.hpp"
#include "storage/data_source.hpp"
#include "storage/file_blob_store.hpp"
#include "storage/key.hpp"
#include "storage/memory_blob_store.hpp"
#include "storage/memory_data_source.hpp"
#include "storage/memory_message_queue.hpp"
#include "storage/message_queue.hpp"
#include "storage/uri.hpp"
