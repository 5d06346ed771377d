/* SPDX-License-Identifier: MIT */
/*
 * The firmware log (hw-spec §10): text lines appended to a byte ring in
 * BAR2. Bytes go in first, WRITE_POS moves last, so a reader that sees
 * WRITE_POS sees the bytes before it.
 */
#include "fw.h"

#define FW_LOG_RING (ARES_FW_LOG_SIZE - 64)
#define FW_LOG_LINE 160

struct fw_buf {
	char s[FW_LOG_LINE];
	__u32 n;
};

static void put(struct fw_buf *b, char c)
{
	if (b->n < FW_LOG_LINE - 1)
		b->s[b->n++] = c;
}

static void put_num(struct fw_buf *b, unsigned long long v, unsigned base)
{
	char tmp[24];
	int i = 0;

	do {
		tmp[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (i)
		put(b, tmp[--i]);
}

static void format(struct fw_buf *b, const char *fmt, va_list ap)
{
	const char *s;
	int longs;

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(b, *fmt);
			continue;
		}
		fmt++;
		for (longs = 0; *fmt == 'l'; fmt++)
			longs++;
		switch (*fmt) {
		case 'u':
			put_num(b, longs ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned),
				10);
			break;
		case 'x':
			put_num(b, longs ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned),
				16);
			break;
		case 's':
			for (s = va_arg(ap, const char *); *s; s++)
				put(b, *s);
			break;
		case '%':
			put(b, '%');
			break;
		case '\0':
			return;
		default:
			put(b, '?');
			break;
		}
	}
}

void fw_log(const struct ares_cp_ops *ops, const char *fmt, ...)
{
	volatile char *ring = (volatile char *)ops->regs + ARES_FW_LOG_DATA;
	struct fw_buf b;
	va_list ap;
	__u64 pos;
	__u32 i;

	b.n = 0;
	va_start(ap, fmt);
	format(&b, fmt, ap);
	va_end(ap);
	if (ops->log)
		ops->log(ops->dev, b.s, b.n);
	b.s[b.n++] = '\n';
	pos = fw_rd64(ops, ARES_FW_LOG_WRITE_POS);
	for (i = 0; i < b.n; i++)
		ring[(pos + i) % FW_LOG_RING] = b.s[i];
	fw_wr64(ops, ARES_FW_LOG_WRITE_POS, pos + b.n);
}
