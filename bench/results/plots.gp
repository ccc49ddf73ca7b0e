set terminal pngcairo size 800,500 noenhanced
set grid
set key left top
set output 'bench/results/throughput_vs_concurrency.png'
set title 'embark warm 1-call logins, default pool, 20 ms latency'
set xlabel 'concurrent logins'
set ylabel 'logins/s'
set logscale x 2
plot 'bench/results/throughput_vs_concurrency.dat' using 1:2 with linespoints title 'measured', '' using 1:3 with lines dashtype 2 title 'latency bound'
unset logscale
set output 'bench/results/latency_vs_users.png'
set title 'median login latency against workspace size, 20 ms latency'
set xlabel 'users in the workspace'
set ylabel 'p50 ms'
set logscale xy
plot 'bench/results/latency_vs_users.dat' using 1:2 with linespoints title 'embark warm', '' using 1:3 with linespoints title 'embark, docs flow', '' using 1:4 with linespoints title 'Node fetch, docs flow', '' using 1:5 with linespoints title 'Python requests, docs flow'
