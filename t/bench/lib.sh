# Licensed under the Apache License, Version 2.0 (see LICENSE).
# Shell helpers shared by t/bench/run.sh and t/bench/profile.sh (sourced).

# A free TCP port on loopback.
free_port() {
    perl -MIO::Socket::INET -e '
        my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1",
            LocalPort => 0, Listen => 1, ReuseAddr => 1) or die "$!\n";
        print $s->sockport, "\n";'
}

# base64 of a string, on one line.
b64() { printf '%s' "$1" | base64 -w0; }
