// A table of resources: name (a link to its blade), type, resource group, location.
import { makeStyles, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from '@fluentui/react-components';

const useStyles = makeStyles({ cell: { overflowWrap: 'anywhere' } });
import { parseResourceId, type ArmResource } from '../api/arm-types';
import { resourceRoute } from '../app/router';
import { PortalLink } from './PortalLink';

export function ResourceTable({ resources, label, columns = ['type', 'resourceGroup', 'location'] }: {
  resources: ArmResource[]; label: string; columns?: ('type' | 'resourceGroup' | 'location')[];
}) {
  const s = useStyles();
  return (
    <div style={{ overflowX: 'auto' }}>
      <Table aria-label={label} size="small">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Name</TableHeaderCell>
            {columns.includes('type') && <TableHeaderCell>Type</TableHeaderCell>}
            {columns.includes('resourceGroup') && <TableHeaderCell>Resource group</TableHeaderCell>}
            {columns.includes('location') && <TableHeaderCell>Location</TableHeaderCell>}
          </TableRow>
        </TableHeader>
        <TableBody>
          {resources.map((r) => (
            <TableRow key={r.id}>
              <TableCell className={s.cell}><PortalLink to={resourceRoute(r.id)}>{r.name}</PortalLink></TableCell>
              {columns.includes('type') && <TableCell className={s.cell}>{r.type}</TableCell>}
              {columns.includes('resourceGroup') && <TableCell className={s.cell}>{parseResourceId(r.id).resourceGroup ?? ''}</TableCell>}
              {columns.includes('location') && <TableCell className={s.cell}>{r.location ?? ''}</TableCell>}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
