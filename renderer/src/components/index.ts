// The shared UI kit: every page builds from these. See README.md for one-line usage of each.
import './components.css';

export { CheckboxField } from './CheckboxField';
export { type Column, DataTable } from './DataTable';
export { ConfirmDialog, Dialog } from './Dialog';
export { EmptyState } from './EmptyState';
export { ErrorNote } from './ErrorNote';
export { FieldError, FieldFrame, useFieldIds } from './Field';
export { NumberField } from './NumberField';
export { PageHeader } from './PageHeader';
export { ProgressBar } from './ProgressBar';
export { SelectField, type SelectOption } from './SelectField';
export { Sparkline } from './Sparkline';
export { StatusBadge, type Tone, toneOf } from './StatusBadge';
export { TextField } from './TextField';
export { type ContractForm, contractErrors, issueMessage, useContractForm } from './useContractForm';
export { VirtualList, type VirtualListProps } from './VirtualList';
