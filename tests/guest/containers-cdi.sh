# Sourced by containers.sh: the CDI part (filled in below).
