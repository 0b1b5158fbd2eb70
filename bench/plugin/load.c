// Plugin request latency, the way dockerd calls a plugin: HTTP/1.1 POST over
// a Unix socket with dockerd's headers, one connection per request. Each
// request's time runs from connect() to the end of the reply (the server
// closes after it: Connection: close). With C threads, C connections are in
// flight at once, each thread sending N/C requests one after the other.
//
//   load SOCKET PATH BODY N C     -> one line per request: nanoseconds, the
//                                    reply's status, and 1 if the reply
//                                    carries an error (Err or Error), else 0
//
// BODY may contain "%d": each request gets its own number there (0..N-1),
// so that requests that must differ (endpoint ids) can.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *socket_path, *path, *body;
static int total, threads;
static long long *times;
static int *statuses, *failed;

static long long now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int one(int index, long long *elapsed, int *error) {
  char payload[4096], request[8192], reply[65536];
  snprintf(payload, sizeof payload, body, index);
  int length = snprintf(request, sizeof request,
                        "POST %s HTTP/1.1\r\nHost: \r\nUser-Agent: Go-http-client/1.1\r\n"
                        "Content-Length: %zu\r\nAccept: application/vnd.docker.plugins.v1.2+json\r\n"
                        "Connection: close\r\n\r\n%s",
                        path, strlen(payload), payload);
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  strncpy(address.sun_path, socket_path, sizeof address.sun_path - 1);
  long long start = now();
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) != 0) { perror("connect"); exit(1); }
  if (write(fd, request, length) != length) { perror("write"); exit(1); }
  size_t got = 0;
  ssize_t n;
  while ((n = read(fd, reply + got, sizeof reply - 1 - got)) > 0) got += n;
  *elapsed = now() - start;
  close(fd);
  reply[got] = 0;
  int status = 0;
  sscanf(reply, "HTTP/1.1 %d", &status);
  *error = strstr(reply, "\"Err") != NULL;
  return status;
}

static void *worker(void *arg) {
  long id = (long)arg;
  for (int i = (int)id; i < total; i += threads) statuses[i] = one(i, &times[i], &failed[i]);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 6) { fprintf(stderr, "usage: load SOCKET PATH BODY N C\n"); return 64; }
  socket_path = argv[1]; path = argv[2]; body = argv[3];
  total = atoi(argv[4]); threads = atoi(argv[5]);
  if (total <= 0 || threads <= 0) return 64;
  times = calloc(total, sizeof *times);
  statuses = calloc(total, sizeof *statuses);
  failed = calloc(total, sizeof *failed);
  pthread_t ids[threads];
  for (long t = 0; t < threads; t++) pthread_create(&ids[t], NULL, worker, (void *)t);
  for (int t = 0; t < threads; t++) pthread_join(ids[t], NULL);
  for (int i = 0; i < total; i++) printf("%lld %d %d\n", times[i], statuses[i], failed[i]);
  return 0;
}
