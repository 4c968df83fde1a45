/* edgert_threads.h - a pthread pool behind edgert_parallel_for (POSIX).
 *
 * The caller owns the pool's memory (a static or stack object); starting it
 * creates the threads, and nothing is allocated afterwards: running a model
 * takes no lock on the fast path and never calls malloc. Workers spin
 * briefly after each job, then sleep on a condition variable until the
 * next one.
 *
 *   static edgert_thread_pool_t pool;
 *   edgert_thread_pool_start(&pool, 2);
 *   edgert_set_parallel_for(edgert_thread_pool_parallel_for, &pool);
 *   ... edgert_run(...) ...
 *   edgert_set_parallel_for(NULL, NULL);
 *   edgert_thread_pool_stop(&pool);
 */
#ifndef EDGERT_THREADS_H
#define EDGERT_THREADS_H

#include "edgert.h"

#include <pthread.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Most workers a pool runs, the calling thread included. */
#define EDGERT_THREADS_MAX 64

typedef struct edgert_thread_pool {
  /* Private: use the functions below. */
  int32_t workers; /* the caller and workers - 1 threads */
  int32_t started; /* threads created */
  pthread_t threads[EDGERT_THREADS_MAX - 1];
  pthread_mutex_t mutex;
  pthread_cond_t wake;
  edgert_task_fn_t task; /* the current job */
  void *context;
  int64_t count;
  uint32_t generation; /* one more per job; atomic */
  int32_t pending;     /* threads still running the job; atomic */
  int32_t stop;        /* set by edgert_thread_pool_stop; atomic */
} edgert_thread_pool_t;

/* Starts `workers` - 1 threads (1 <= workers <= EDGERT_THREADS_MAX; the
 * thread calling parallel_for is the first worker). Returns
 * EDGERT_ERR_NULL_ARGUMENT, EDGERT_ERR_UNSUPPORTED for a count out of range,
 * EDGERT_ERR_OUT_OF_MEMORY when a thread cannot be created (none is left
 * running then), or EDGERT_OK. */
edgert_status_t edgert_thread_pool_start(edgert_thread_pool_t *pool,
                                         int32_t workers);

/* An edgert_parallel_for_fn_t: `user` is a started pool. Splits [0, count)
 * into one contiguous range per worker. One job at a time: models sharing a
 * pool must not run concurrently. */
void edgert_thread_pool_parallel_for(void *user, int64_t count,
                                     edgert_task_fn_t task, void *context);

/* Stops and joins the threads. The pool may be started again. */
void edgert_thread_pool_stop(edgert_thread_pool_t *pool);

#ifdef __cplusplus
}
#endif

#endif /* EDGERT_THREADS_H */
