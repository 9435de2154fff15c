/**
 * The network hop's TCP proxy in a process of its own (bench/hop.ts forks
 * it): its timers then fire on time while the handler's process is busy
 * preparing the next chunk, as a network's would. Arguments: target host,
 * target port, delay each way in ms. Sends { port } when listening; stops
 * when the bench disconnects.
 */
import { TcpProxy } from '../../tools/lib/tcp-proxy.js';

const [host = '127.0.0.1', port = '5432', delayMs = '0'] = process.argv.slice(2);
const proxy = new TcpProxy(host, Number(port), Number(delayMs));
await proxy.start();
process.send?.({ port: proxy.port });
process.once('disconnect', () => {
  void proxy.stop().finally(() => process.exit(0));
});
