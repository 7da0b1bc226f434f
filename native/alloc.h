/* The JavaScript runtime's allocator (alloc.c), for JS_NewRuntime2. */
#ifndef PREPARE_ROOT_ALLOC_H
#define PREPARE_ROOT_ALLOC_H

#include "quickjs.h"

extern const JSMallocFunctions runtime_allocator;

#endif
