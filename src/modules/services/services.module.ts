import type { LoadedBundle } from './services.bundle.ts';
import type { ServicesCertificates } from './services.certificates.ts';
import type { ServicesDeps } from './services.deps.ts';
import { ServicesDesk } from './services.desk.ts';
import { ServicesProposals } from './services.proposals.ts';
import { BundleRegistry } from './services.registry.ts';
import { ServicesCore } from './services.service.ts';
import { StepTimers } from './services.timers.ts';

/** The integrated-services module's parts. */
export interface IntegratedServices {
  core: ServicesCore;
  desk: ServicesDesk;
  timers: StepTimers;
  bundles: BundleRegistry;
  certificates: ServicesCertificates;
  proposals: ServicesProposals;
}

/** Builds the module and records the bundle files' versions (a bad file was refused when loading them). */
export async function createServices(deps: ServicesDeps, files: LoadedBundle[]): Promise<IntegratedServices> {
  const bundles = new BundleRegistry();
  await bundles.load(deps.db, files, deps.clock.now());
  const core = new ServicesCore(deps, bundles);
  return {
    core,
    desk: new ServicesDesk(core),
    timers: new StepTimers(core),
    bundles,
    certificates: core.certificates,
    proposals: new ServicesProposals(core),
  };
}
