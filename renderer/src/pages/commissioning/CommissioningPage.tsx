import { PageHeader } from '../../components';
import { ConsolePanel } from './ConsolePanel';
import { PortsPanel } from './PortsPanel';
import { RecordsPanel } from './RecordsPanel';
import { RunsPanel } from './RunsPanel';
import './commissioning.css';

/** USB-serial commissioning: live ports, runs with their current step, and signed records. */
export function CommissioningPage() {
  return (
    <div className="page" data-testid="commissioning-page">
      <PageHeader title="Commissioning" />
      <PortsPanel />
      <RunsPanel />
      <RecordsPanel />
      <ConsolePanel />
    </div>
  );
}
