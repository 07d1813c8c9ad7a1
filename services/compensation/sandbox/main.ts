import { startPaymentSandbox } from './payment-sandbox';

// `npm start` runs this (deploy/local/platform.ts): the local payment-provider sandbox on PORT (3016).
startPaymentSandbox({
  port: Number(process.env.PORT ?? 3016),
  secret: process.env.COMPENSATION_PROVIDER_WEBHOOK_SECRET ?? 'local-payment-sandbox-secret',
  dataFile: process.env.SANDBOX_DATA_FILE,
})
  .then((sandbox) => console.log(JSON.stringify({ level: 'info', msg: 'payment sandbox listening', url: sandbox.url })))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
