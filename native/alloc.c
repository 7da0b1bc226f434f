/* The JavaScript runtime's allocator. A run makes tens of thousands of small allocations (objects,
 * shapes, strings, the bytecode as it is read) in a few milliseconds, and glibc's malloc and free
 * were a fifth of the instructions of a prepare. Here a small block is carved from 64 KiB chunks
 * and, when freed, kept on a list for its size class, from which the next request of that class
 * is served: two or three instructions each way, and memory is reused as before (a class's blocks
 * stay in that class; chunks are never returned, which a run of milliseconds does not need).
 * Larger blocks go to malloc.
 *
 * Every block has an 8-byte header before the pointer handed out, which stays 16-byte aligned:
 * the block's total size (a multiple of 16) for a small block, or LARGE | the requested size. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"

#define HEADER 8u
#define ALIGN 16u
#define SMALL_MAX 512u /* total block size, header included */
#define CHUNK (64u * 1024u)
#define LARGE ((uint64_t)1 << 63)
/* What the runtime's accounting adds per block, as for glibc's malloc (QuickJS's GC trigger
   and memory limit count it). */
#define OVERHEAD 8u

struct free_block { struct free_block *next; };

static struct free_block *free_lists[SMALL_MAX / ALIGN + 1];
static uint8_t *bump, *bump_end;

static inline uint64_t *header_of(void *ptr) { return (uint64_t *)((uint8_t *)ptr - HEADER); }

static size_t usable(const void *ptr) {
  uint64_t h = *(const uint64_t *)((const uint8_t *)ptr - HEADER);
  return (h & LARGE) ? (size_t)(h & ~LARGE) : (size_t)(h - HEADER);
}

/* A new chunk: its first block starts 8 bytes past 16-byte alignment, so that the pointer after
   each header is aligned. What was left of the previous chunk is abandoned. */
static int new_chunk(void) {
  uint8_t *chunk = malloc(CHUNK);
  if (chunk == NULL) return -1;
  bump = chunk + (ALIGN - HEADER);
  bump_end = chunk + CHUNK;
  return 0;
}

static void *alloc_small(size_t total) {
  struct free_block **list = &free_lists[total / ALIGN];
  struct free_block *b = *list;
  if (b != NULL) {
    *list = b->next;
    return b;
  }
  if ((size_t)(bump_end - bump) < total && new_chunk() < 0) return NULL;
  uint64_t *h = (uint64_t *)bump;
  *h = total;
  bump += total;
  return (uint8_t *)h + HEADER;
}

static void *alloc_large(size_t size) {
  /* ALIGN bytes in front keep the pointer aligned; the header is the last 8 of them. */
  uint8_t *raw = malloc(ALIGN + size);
  if (raw == NULL) return NULL;
  *(uint64_t *)(raw + ALIGN - HEADER) = LARGE | size;
  return raw + ALIGN;
}

static void release(void *ptr) {
  uint64_t h = *header_of(ptr);
  if (h & LARGE) {
    free((uint8_t *)ptr - ALIGN);
    return;
  }
  struct free_block *b = ptr;
  b->next = free_lists[h / ALIGN];
  free_lists[h / ALIGN] = b;
}

static void *allocate(size_t size) {
  size_t total = (size + HEADER + ALIGN - 1) & ~(size_t)(ALIGN - 1);
  return total <= SMALL_MAX ? alloc_small(total) : alloc_large(size);
}

static void *js_alloc(JSMallocState *s, size_t size) {
  if (s->malloc_size + size > s->malloc_limit) return NULL;
  void *ptr = allocate(size == 0 ? 1 : size);
  if (ptr == NULL) return NULL;
  s->malloc_count++;
  s->malloc_size += usable(ptr) + OVERHEAD;
  return ptr;
}

static void js_release(JSMallocState *s, void *ptr) {
  if (ptr == NULL) return;
  s->malloc_count--;
  s->malloc_size -= usable(ptr) + OVERHEAD;
  release(ptr);
}

static void *js_resize(JSMallocState *s, void *ptr, size_t size) {
  if (ptr == NULL) return size == 0 ? NULL : js_alloc(s, size);
  if (size == 0) {
    js_release(s, ptr);
    return NULL;
  }
  size_t old = usable(ptr);
  if (size <= old && (old <= SMALL_MAX || size > old / 2)) return ptr;
  if (s->malloc_size + size - old > s->malloc_limit) return NULL;
  if ((*header_of(ptr) & LARGE) && size + HEADER > SMALL_MAX) {
    /* Large to large: glibc can often grow it in place. */
    uint8_t *raw = realloc((uint8_t *)ptr - ALIGN, ALIGN + size);
    if (raw == NULL) return NULL;
    *(uint64_t *)(raw + ALIGN - HEADER) = LARGE | size;
    s->malloc_size += size - old;
    return raw + ALIGN;
  }
  void *grown = allocate(size);
  if (grown == NULL) return NULL;
  memcpy(grown, ptr, old < size ? old : size);
  s->malloc_size += usable(grown) - old;
  release(ptr);
  return grown;
}

static size_t js_usable(const void *ptr) { return ptr == NULL ? 0 : usable(ptr); }

const JSMallocFunctions runtime_allocator = {
  .js_malloc = js_alloc,
  .js_free = js_release,
  .js_realloc = js_resize,
  .js_malloc_usable_size = js_usable,
};
