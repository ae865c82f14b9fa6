# time-to-serve.gp: strip chart of the time-to-serve trials (bench/report
# sets connect, banner, login, baseline, never, out, n and the xtics).
set terminal pngcairo size 1000,560 font "DejaVu Sans,10"
set output out
set title "sshd: time from 'ip addr add' to serving the new address (one point a trial)"
set logscale y
set yrange [0.03:*]
set format y "%g"
set ylabel "milliseconds after the address appears (log scale)"
set xrange [0.4:n + 0.6]
set grid ytics mytics
# the key under the plot, where it hides no point
set key below center horizontal maxcols 2 box
set bmargin 8
set label 1 never at graph 0.98, graph 0.06 right
plot connect using 1:2 with points pt 5 ps 0.7 lc rgb "#2ca02c" title "TCP connect accepted", \
     banner using 1:2 with points pt 7 ps 0.8 lc rgb "#1f77b4" title "first SSH banner", \
     login using 1:2 with points pt 9 ps 0.9 lc rgb "#d62728" title "first key-based login", \
     baseline with lines dt 2 lc rgb "#555555" title "a plain login on an existing address (median)"
