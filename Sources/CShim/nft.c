// libnftables, loaded on first use. Linked normally it would add itself and
// libnftnl, libxtables, libjansson and libgmp to every start of cnet (the
// start-up of a trivial command is a measured bar); only commands that
// change the firewall load it. The prototypes come from libnftables-dev.
#include "cnet_shim.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <nftables/libnftables.h>

static struct {
  int loaded;  // 0 not tried, 1 ready, -errno failed
  struct nft_ctx *ctx;
  struct nft_ctx *(*ctx_new)(uint32_t);
  int (*buffer_output)(struct nft_ctx *);
  int (*buffer_error)(struct nft_ctx *);
  const char *(*get_output)(struct nft_ctx *);
  const char *(*get_error)(struct nft_ctx *);
  int (*run)(struct nft_ctx *, const char *);
} nft;

static int load(void) {
  if (nft.loaded) return nft.loaded;
  void *lib = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) return nft.loaded = -ENOENT;
  nft.ctx_new = (struct nft_ctx * (*)(uint32_t)) dlsym(lib, "nft_ctx_new");
  nft.buffer_output = (int (*)(struct nft_ctx *))dlsym(lib, "nft_ctx_buffer_output");
  nft.buffer_error = (int (*)(struct nft_ctx *))dlsym(lib, "nft_ctx_buffer_error");
  nft.get_output = (const char *(*)(struct nft_ctx *))dlsym(lib, "nft_ctx_get_output_buffer");
  nft.get_error = (const char *(*)(struct nft_ctx *))dlsym(lib, "nft_ctx_get_error_buffer");
  nft.run = (int (*)(struct nft_ctx *, const char *))dlsym(lib, "nft_run_cmd_from_buffer");
  if (!nft.ctx_new || !nft.buffer_output || !nft.buffer_error || !nft.get_output || !nft.get_error || !nft.run)
    return nft.loaded = -ENOSYS;
  nft.ctx = nft.ctx_new(NFT_CTX_DEFAULT);
  if (!nft.ctx) return nft.loaded = -ENOMEM;
  nft.buffer_output(nft.ctx);
  nft.buffer_error(nft.ctx);
  return nft.loaded = 1;
}

static char *copy(const char *s) {
  return s && *s ? strdup(s) : NULL;
}

int cnet_nft_run(const char *commands, char **output, char **error) {
  *output = NULL;
  *error = NULL;
  int rc = load();
  if (rc < 0) return rc;
  rc = nft.run(nft.ctx, commands);
  // The buffers are reset by the next get, so each is read once.
  *output = copy(nft.get_output(nft.ctx));
  *error = copy(nft.get_error(nft.ctx));
  return rc == 0 ? 0 : 1;
}
