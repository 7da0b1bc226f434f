/* The program's modules as bytecode, compiled by qjsc at build time (build.mjs writes the table,
 * embedded.c). Entry 0 is the entry module; names are those the imports resolve to. */
#ifndef PREPARE_ROOT_EMBEDDED_H
#define PREPARE_ROOT_EMBEDDED_H

#include <stddef.h>
#include <stdint.h>

struct embedded_module {
  const char *name;
  const uint8_t *bytecode;
  const uint32_t *size;
};

extern const struct embedded_module embedded_modules[];
extern const size_t embedded_module_count;

#endif
