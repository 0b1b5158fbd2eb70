// Internal helpers for the cnet_msg_* builders: every put is bounds-checked
// against the caller's buffer, and one failed put makes the whole message
// fail with -EMSGSIZE instead of writing past the end.
#ifndef CNET_NL_BUILD_H
#define CNET_NL_BUILD_H

#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>

struct nl_builder {
  struct nlmsghdr *nlh;
  size_t size;
  int ok;
};

/// Starts a request of `type` with `flags` (NLM_F_REQUEST is added) and a
/// zeroed family header of `hdrlen` bytes; returns that header.
static inline void *nlb_start(struct nl_builder *b, void *buf, size_t size,
                              uint16_t type, uint16_t flags, uint32_t seq,
                              size_t hdrlen) {
  b->nlh = NULL;
  b->size = size;
  b->ok = size >= MNL_NLMSG_HDRLEN + MNL_ALIGN(hdrlen);
  if (!b->ok) return NULL;
  // libmnl clears the two headers; each put below clears what it is about
  // to fill (see nlb_clear), not the whole 8 KB buffer.
  b->nlh = mnl_nlmsg_put_header(buf);
  b->nlh->nlmsg_type = type;
  b->nlh->nlmsg_flags = NLM_F_REQUEST | flags;
  b->nlh->nlmsg_seq = seq;
  return mnl_nlmsg_put_extra_header(b->nlh, hdrlen);
}

/// Zeroes the bytes an attribute of `len` payload bytes will take at the
/// end of the message, its padding included: libmnl 1.0.4 leaves padding
/// as the buffer had it, and the buffer is reused, so stale bytes would
/// go out in requests (and make them differ from run to run).
static inline void nlb_clear(struct nl_builder *b, size_t len) {
  size_t at = b->nlh->nlmsg_len;
  size_t need = MNL_ATTR_HDRLEN + MNL_ALIGN(len);
  if (at < b->size) memset((char *)b->nlh + at, 0, need < b->size - at ? need : b->size - at);
}

static inline void nlb_str(struct nl_builder *b, uint16_t type, const char *s) {
  if (!b->ok) return;
  nlb_clear(b, strlen(s) + 1);
  b->ok = mnl_attr_put_strz_check(b->nlh, b->size, type, s);
}
static inline void nlb_u8(struct nl_builder *b, uint16_t type, uint8_t v) {
  if (!b->ok) return;
  nlb_clear(b, sizeof(v));
  b->ok = mnl_attr_put_u8_check(b->nlh, b->size, type, v);
}
static inline void nlb_u16(struct nl_builder *b, uint16_t type, uint16_t v) {
  if (!b->ok) return;
  nlb_clear(b, sizeof(v));
  b->ok = mnl_attr_put_u16_check(b->nlh, b->size, type, v);
}
static inline void nlb_u32(struct nl_builder *b, uint16_t type, uint32_t v) {
  if (!b->ok) return;
  nlb_clear(b, sizeof(v));
  b->ok = mnl_attr_put_u32_check(b->nlh, b->size, type, v);
}
static inline void nlb_bytes(struct nl_builder *b, uint16_t type,
                             const void *data, size_t len) {
  if (!b->ok) return;
  nlb_clear(b, len);
  b->ok = mnl_attr_put_check(b->nlh, b->size, type, len, data);
}
static inline struct nlattr *nlb_nest(struct nl_builder *b, uint16_t type) {
  if (!b->ok) return NULL;
  nlb_clear(b, 0);
  struct nlattr *nest = mnl_attr_nest_start_check(b->nlh, b->size, type);
  b->ok = nest != NULL;
  return nest;
}
static inline void nlb_end(struct nl_builder *b, struct nlattr *nest) {
  if (b->ok) mnl_attr_nest_end(b->nlh, nest);
}
/// The message length, or -EMSGSIZE.
static inline int nlb_finish(struct nl_builder *b) {
  return b->ok ? (int)b->nlh->nlmsg_len : -EMSGSIZE;
}

/// Copies a NUL-terminated string attribute into a fixed buffer.
static inline void nl_copy_str(char *dst, size_t size, const struct nlattr *a) {
  size_t len = mnl_attr_get_payload_len(a);
  const char *src = mnl_attr_get_payload(a);
  size_t n = strnlen(src, len);
  if (n >= size) n = size - 1;
  memcpy(dst, src, n);
  dst[n] = '\0';
}

/// Copies a binary attribute (an address) into a fixed buffer.
static inline uint32_t nl_copy_bytes(uint8_t *dst, size_t size,
                                     const struct nlattr *a) {
  size_t len = mnl_attr_get_payload_len(a);
  if (len > size) len = size;
  memcpy(dst, mnl_attr_get_payload(a), len);
  return (uint32_t)len;
}

/// Integer attributes from the kernel, read only when they are long enough.
static inline uint32_t nl_get_u32(const struct nlattr *a) {
  return mnl_attr_get_payload_len(a) >= 4 ? mnl_attr_get_u32(a) : 0;
}
static inline uint8_t nl_get_u8(const struct nlattr *a) {
  return mnl_attr_get_payload_len(a) >= 1 ? mnl_attr_get_u8(a) : 0;
}

/// mnl_attr_parse callback that files attributes by type into a table.
struct nl_attr_table {
  const struct nlattr **tb;
  uint16_t max;
};

static inline int nl_keep_attr(const struct nlattr *attr, void *data) {
  struct nl_attr_table *t = data;
  uint16_t type = mnl_attr_get_type(attr);
  if (type <= t->max) t->tb[type] = attr;
  return MNL_CB_OK;
}

#endif
