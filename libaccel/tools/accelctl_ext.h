/* SPDX-License-Identifier: MIT */
/*
 * accelctl subcommands that live in their own files, each a main() of its
 * own called with accelctl's argv (argv[1] is the subcommand).
 */
#ifndef ACCELCTL_EXT_H
#define ACCELCTL_EXT_H

/* accelctl visible: which devices ARES_VISIBLE_DEVICES lets this process see. */
int accelctl_visible_main(int argc, char **argv);

/* accelctl cdi generate: a Container Device Interface spec for the devices. */
int accelctl_cdi_main(int argc, char **argv);

#endif /* ACCELCTL_EXT_H */
