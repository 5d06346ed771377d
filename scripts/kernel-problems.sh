#!/bin/sh
# Prints the lines of kernel logs (the files given, or stdin) that report a
# kernel problem; exit status 0 if there is at least one, as grep's.
# vm-run.sh judges every guest run with it; the soak counts with it.
#
# The debug kernel's checkers each have a word in here: lockdep's reports
# are WARNINGs or name lockdep, except its "non-static key" INFO; KASAN,
# UBSAN, DEBUG_OBJECTS (a WARNING), DEBUG_LIST (corruption), RCU stalls and
# soft lockups (BUG: or their own words).
bad='WARNING:|BUG:|Oops|refcount_t|list_add corruption|list_del corruption|possible circular locking|possible recursive locking|lockdep|KASAN|UBSAN|general protection fault|Kernel panic|blocked for more than|trying to register non-static key|detected stalls|self-detected stall|soft lockup'
# Lines that match a word above but report no problem: the debug kernel's
# boot banner.
benign='RCU lockdep checking is enabled'
grep -E -h "$bad" "$@" 2>/dev/null | grep -v -E "$benign"
