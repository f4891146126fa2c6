
set terminal pngcairo size 1100,520 font "sans,10"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key top left
set xtics norotate nomirror
set logscale y
cols = 3
set output "/work/main/bench/results/keepalive-recheck/rps.png"
set title "requests/s (higher is better; log scale)"
plot for [i=2:cols+1] "/work/main/bench/results/keepalive-recheck/plotdata/rps.dat" using i:xtic(1) title columnheader(i)
set output "/work/main/bench/results/keepalive-recheck/cpu_per_request.png"
set title "server CPU time per request, microseconds (user+sys; lower is better; log scale)"
plot for [i=2:cols+1] "/work/main/bench/results/keepalive-recheck/plotdata/cpu.dat" using i:xtic(1) title columnheader(i)
set terminal pngcairo size 1100,900 font "sans,10"
set output "/work/main/bench/results/keepalive-recheck/latency.png"
set multiplot layout 2,1
set title "p50 latency, microseconds (log scale)"
plot for [i=2:cols+1] "/work/main/bench/results/keepalive-recheck/plotdata/p50.dat" using i:xtic(1) title columnheader(i)
set title "p99 latency, microseconds (log scale)"
plot for [i=2:cols+1] "/work/main/bench/results/keepalive-recheck/plotdata/p99.dat" using i:xtic(1) title columnheader(i)
unset multiplot
