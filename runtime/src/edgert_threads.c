/* edgert_threads.c - the pthread pool of edgert_threads.h.
 *
 * A job is published by storing its task, context and count and then
 * bumping `generation` (release); each worker waits for a new generation
 * (spinning for a while, then on the condition variable), runs its share
 * and decrements `pending`, on which the caller spins after running its own
 * share. Kernels of one model follow each other within microseconds, so the
 * workers rarely sleep during a run; between runs they do. */
#define _POSIX_C_SOURCE 200809L
#include "edgert_threads.h"

#include <stddef.h>

/* Spins of a waiting worker before it sleeps: a few tens of microseconds. */
#define EDGERT_SPINS 20000

static void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/* Worker w's share of [0, count): contiguous, sizes differ by at most one. */
static void run_share(edgert_thread_pool_t *pool, int32_t w) {
  int64_t count = pool->count, n = pool->workers;
  int64_t begin = count * w / n, end = count * (w + 1) / n;
  if (begin < end)
    pool->task(pool->context, begin, end);
}

/* A thread's argument is {pool, index} on the starter's stack: the pool
 * struct stays the caller's only memory. The thread copies it, then clears
 * the first slot to tell the starter it may go on. */
static void *worker_main(void *arg) {
  edgert_thread_pool_t *pool = (edgert_thread_pool_t *)((void **)arg)[0];
  int32_t index = (int32_t)(intptr_t)((void **)arg)[1];
  uint32_t seen = 0;
  /* The starter waits for this acknowledgement before reusing `arg`. */
  __atomic_store_n(&((void **)arg)[0], NULL, __ATOMIC_RELEASE);
  for (;;) {
    uint32_t gen;
    long spins = 0;
    while ((gen = __atomic_load_n(&pool->generation, __ATOMIC_ACQUIRE)) ==
               seen &&
           !__atomic_load_n(&pool->stop, __ATOMIC_ACQUIRE) &&
           spins++ < EDGERT_SPINS)
      cpu_relax();
    if (gen == seen && !__atomic_load_n(&pool->stop, __ATOMIC_ACQUIRE)) {
      pthread_mutex_lock(&pool->mutex);
      while ((gen = __atomic_load_n(&pool->generation, __ATOMIC_ACQUIRE)) ==
                 seen &&
             !__atomic_load_n(&pool->stop, __ATOMIC_ACQUIRE))
        pthread_cond_wait(&pool->wake, &pool->mutex);
      pthread_mutex_unlock(&pool->mutex);
    }
    if (__atomic_load_n(&pool->stop, __ATOMIC_ACQUIRE))
      return NULL;
    seen = gen;
    run_share(pool, index);
    __atomic_sub_fetch(&pool->pending, 1, __ATOMIC_ACQ_REL);
  }
}

edgert_status_t edgert_thread_pool_start(edgert_thread_pool_t *pool,
                                         int32_t workers) {
  int32_t i;
  if (pool == NULL)
    return EDGERT_ERR_NULL_ARGUMENT;
  if (workers < 1 || workers > EDGERT_THREADS_MAX)
    return EDGERT_ERR_UNSUPPORTED;
  pool->workers = workers;
  pool->started = 0;
  pool->task = NULL;
  pool->context = NULL;
  pool->count = 0;
  pool->generation = 0;
  pool->pending = 0;
  pool->stop = 0;
  if (pthread_mutex_init(&pool->mutex, NULL) != 0)
    return EDGERT_ERR_OUT_OF_MEMORY;
  if (pthread_cond_init(&pool->wake, NULL) != 0) {
    pthread_mutex_destroy(&pool->mutex);
    return EDGERT_ERR_OUT_OF_MEMORY;
  }
  for (i = 1; i < workers; ++i) {
    void *volatile arg[2];
    arg[0] = pool;
    arg[1] = (void *)(intptr_t)i;
    if (pthread_create(&pool->threads[i - 1], NULL, worker_main,
                       (void *)arg) != 0) {
      edgert_thread_pool_stop(pool);
      return EDGERT_ERR_OUT_OF_MEMORY;
    }
    ++pool->started;
    while (__atomic_load_n((void **)&arg[0], __ATOMIC_ACQUIRE) != NULL)
      cpu_relax();
  }
  return EDGERT_OK;
}

void edgert_thread_pool_parallel_for(void *user, int64_t count,
                                     edgert_task_fn_t task, void *context) {
  edgert_thread_pool_t *pool = (edgert_thread_pool_t *)user;
  if (count <= 0)
    return;
  if (pool == NULL || pool->started + 1 < pool->workers ||
      pool->workers <= 1 || count == 1) {
    task(context, 0, count);
    return;
  }
  pool->task = task;
  pool->context = context;
  pool->count = count;
  __atomic_store_n(&pool->pending, pool->workers - 1, __ATOMIC_RELAXED);
  pthread_mutex_lock(&pool->mutex);
  __atomic_add_fetch(&pool->generation, 1, __ATOMIC_RELEASE);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->mutex);
  run_share(pool, 0);
  while (__atomic_load_n(&pool->pending, __ATOMIC_ACQUIRE) != 0)
    cpu_relax();
}

void edgert_thread_pool_stop(edgert_thread_pool_t *pool) {
  int32_t i;
  if (pool == NULL)
    return;
  pthread_mutex_lock(&pool->mutex);
  __atomic_store_n(&pool->stop, 1, __ATOMIC_RELEASE);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->mutex);
  for (i = 0; i < pool->started; ++i)
    pthread_join(pool->threads[i], NULL);
  pool->started = 0;
  pthread_cond_destroy(&pool->wake);
  pthread_mutex_destroy(&pool->mutex);
}
